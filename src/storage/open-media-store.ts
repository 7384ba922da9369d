import type { MediaStoreConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { DatabaseMediaStore } from './database-media-store.js';
import { FilesystemMediaStore } from './filesystem-media-store.js';
import type { MediaStore } from './media-store.js';

/** The media store `CASELINE_MEDIA_STORE` names. */
export function openMediaStore(config: MediaStoreConfig, db: Db, now: () => number): MediaStore {
  return config.kind === 'filesystem' ? new FilesystemMediaStore(db, config.path, now) : new DatabaseMediaStore(db, now);
}
