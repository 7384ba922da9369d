import { upload, type UploadOptions } from './client.js';
import type { MediaUpload } from './types.js';

/** Files a worker (or the phone simulator) attaches (DESIGN.md §6, §13 "uploads"). */
export const mediaApi = {
  /** One file, multipart field `file`; the answer's id goes in a message's `media`. */
  upload: (file: File, options?: UploadOptions) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return upload<MediaUpload>('/media', form, options);
  },
};
