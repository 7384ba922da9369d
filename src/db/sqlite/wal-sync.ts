import { open, stat, type FileHandle } from 'node:fs/promises';

/**
 * Syncs a database's WAL file to disk for commits made without a sync of their own
 * (`synchronous = NORMAL`), so that what they acknowledge survives a power cut.
 *
 * A commit's frames are in the WAL file (in the operating system's cache) when the commit
 * returns; an `fdatasync` of the file that *starts after* that return puts them on the disk,
 * together with every frame written before. So commits can go on while one sync runs, and
 * the commits that returned during it share the next one: `afterCommit()` resolves once a
 * sync begun after the call has finished. Syncs run on libuv's pool, never on the event loop.
 */
export interface WalSync {
  /** Call once a commit has returned; resolves when that commit is on disk. */
  afterCommit(): Promise<void>;
  close(): Promise<void>;
}

export function walSync(walPath: string): WalSync {
  let file: { handle: FileHandle; inode: number } | null = null;
  let inFlight: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  /** The WAL file as it is now: SQLite may have deleted and made it anew (after the last other connection closed). */
  async function current(): Promise<FileHandle> {
    const { ino } = await stat(walPath);
    if (file?.inode === ino) return file.handle;
    await file?.handle.close();
    const handle = await open(walPath, 'r+');
    file = { handle, inode: (await handle.stat()).ino };
    return handle;
  }

  const syncNow = async () => {
    const handle = await current();
    await handle.datasync();
  };

  const afterCommit = (): Promise<void> => {
    if (!inFlight) {
      inFlight = syncNow().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    // The sync in flight began before this commit returned, so it may miss it: wait for the next.
    queued ??= inFlight.then(next, next);
    return queued;
  };

  function next(): Promise<void> {
    queued = null;
    return afterCommit();
  }

  return {
    afterCommit,
    async close() {
      await Promise.allSettled([inFlight, queued]);
      await file?.handle.close();
      file = null;
    },
  };
}
