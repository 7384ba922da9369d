import { useCallback, useEffect, useId, useRef, useState, type ClipboardEvent, type DragEvent } from 'react';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../../api/client.js';
import { mediaApi } from '../../api/media.js';
import type { MediaUpload } from '../../api/types.js';
import { formatBytes } from '../../media-kinds.js';
import { useApp } from '../../session.js';
import { PaperclipIcon } from '../../ui/icons.js';

/** As many files as one message may carry (`media` on a notification takes at most 10). */
export const MAX_ATTACHMENTS = 10;

/** A file chosen to go with a message: uploaded at once (`POST /media`), sent by id. */
export interface Attachment {
  key: string;
  name: string;
  size: number;
  /** The share uploaded so far (0 to 1) while the upload runs; null once it has answered. */
  progress: number | null;
  upload: MediaUpload | null;
  /** Why this file cannot go, in words. */
  error: string | null;
}

export interface Attachments {
  items: readonly Attachment[];
  /** The uploads ready to send, in the order they were chosen. */
  ids: string[];
  uploading: boolean;
  /** Some file could not be uploaded: it must be removed before sending, so nothing goes missing unseen. */
  failed: boolean;
  /** `up to 16 MB each`: the server's limit, to show beside the attach button, in the console's language. */
  limitText: string;
  disabled: boolean;
  add: (files: readonly File[]) => void;
  remove: (key: string) => void;
  /** Forgets every file, after they were sent. */
  clear: () => void;
}

/**
 * The files of a message being written. Each uploads as soon as it is chosen, so Send only
 * names them; a file over the server's limit is refused before it is sent at all.
 */
export function useAttachments({ disabled = false }: { disabled?: boolean } = {}): Attachments {
  const { t } = useTranslation('case');
  const maxBytes = useApp().session.limits.mediaMaxBytes;
  const [items, setItems] = useState<Attachment[]>([]);
  // The list as of now, for files added or answered before the next render.
  const list = useRef<Attachment[]>([]);
  const running = useRef(new Map<string, AbortController>());
  const count = useRef(0);

  const commit = useCallback((next: Attachment[]) => {
    list.current = next;
    setItems(next);
  }, []);
  const change = (key: string, patch: Partial<Attachment>) =>
    commit(list.current.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  const start = (key: string, file: File) => {
    const controller = new AbortController();
    running.current.set(key, controller);
    mediaApi
      .upload(file, { signal: controller.signal, onProgress: (sent) => change(key, { progress: sent }) })
      .then(
        (upload) => change(key, { upload, progress: null }),
        (error: unknown) => {
          if (!controller.signal.aborted) change(key, { error: uploadFailure(error, maxBytes), progress: null });
        },
      )
      .finally(() => running.current.delete(key));
  };

  const add = (files: readonly File[]) => {
    if (disabled || files.length === 0) return;
    const added: Attachment[] = [];
    const held = list.current.filter((item) => !item.error).length;
    for (const file of files) {
      const key = `attachment-${++count.current}`;
      const error =
        held + added.filter((item) => !item.error).length >= MAX_ATTACHMENTS
          ? t('attachments.tooMany', { max: MAX_ATTACHMENTS })
          : file.size === 0
            ? t('attachments.empty')
            : file.size > maxBytes
              ? t('attachments.tooBig', { size: formatBytes(file.size), limit: formatBytes(maxBytes) })
              : null;
      added.push({ key, name: file.name || t('attachments.pastedFile'), size: file.size, progress: error ? null : 0, upload: null, error });
    }
    commit([...list.current, ...added]);
    files.forEach((file, index) => {
      if (!added[index]!.error) start(added[index]!.key, file);
    });
  };

  const remove = useCallback(
    (key: string) => {
      running.current.get(key)?.abort();
      commit(list.current.filter((item) => item.key !== key));
    },
    [commit],
  );
  const clear = useCallback(() => {
    for (const controller of running.current.values()) controller.abort();
    commit([]);
  }, [commit]);
  // Uploads still running when the form goes away are abandoned.
  useEffect(() => {
    const uploads = running.current;
    return () => {
      for (const controller of uploads.values()) controller.abort();
    };
  }, []);

  return {
    items,
    ids: items.flatMap((item) => (item.upload ? [item.upload.id] : [])),
    uploading: items.some((item) => item.progress !== null),
    failed: items.some((item) => item.error !== null),
    limitText: t('attachments.limit', { limit: formatBytes(maxBytes) }),
    disabled,
    add,
    remove,
    clear,
  };
}

/** The server's refusal in words a worker can act on. */
function uploadFailure(error: unknown, maxBytes: number): string {
  if (error instanceof ApiError) {
    if (error.code === 'media_too_large' || error.status === 413) {
      return i18next.t('case:attachments.tooLarge', { limit: formatBytes(maxBytes) });
    }
  }
  return errorMessage(error);
}

/** Why Send waits, or null when the files are ready. */
export function attachmentsBlockSend(attachments: Attachments): string | null {
  if (attachments.uploading) return i18next.t('case:attachments.waitUpload');
  if (attachments.failed) return i18next.t('case:attachments.removeFailed');
  return null;
}

/**
 * Drag and drop onto a form, and images pasted into its text box (DESIGN.md §6): the props
 * to spread on each, and whether a file is being dragged over the form now.
 */
export function useFileDrop(attachments: Attachments) {
  const [dragging, setDragging] = useState(false);
  // dragenter and dragleave fire for every child crossed: count them to know when the pointer left.
  const depth = useRef(0);
  const carriesFiles = (event: DragEvent) => !attachments.disabled && event.dataTransfer.types.includes('Files');

  const dropProps = {
    onDragEnter: (event: DragEvent<HTMLElement>) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current++;
      setDragging(true);
    },
    onDragOver: (event: DragEvent<HTMLElement>) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (event: DragEvent<HTMLElement>) => {
      if (!carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (event: DragEvent<HTMLElement>) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      attachments.add(Array.from(event.dataTransfer.files));
    },
  };

  // A screenshot pastes as a file alone; text copied from a document may bring a picture of
  // itself along, and then the text is what was meant.
  const onPaste = (event: ClipboardEvent<HTMLElement>) => {
    const { files, types } = event.clipboardData;
    if (attachments.disabled || files.length === 0 || types.includes('text/plain')) return;
    event.preventDefault();
    attachments.add(Array.from(files));
  };

  return { dragging, dropProps, onPaste };
}

/** A labelled button that opens the file picker; the file input itself stays out of sight. */
export function AttachButton({ attachments, label: chosenLabel }: { attachments: Attachments; label?: string }) {
  const { t } = useTranslation('case');
  const label = chosenLabel ?? t('attachments.attach');
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  return (
    <span className="attach">
      <input
        ref={input}
        type="file"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        aria-label={label}
        disabled={attachments.disabled}
        data-testid="attach-input"
        onChange={(event) => {
          attachments.add(Array.from(event.target.files ?? []));
          // The same file can be chosen again after it was removed.
          event.target.value = '';
        }}
      />
      <button
        type="button"
        className="button-quiet attach-button"
        disabled={attachments.disabled}
        aria-describedby={hintId}
        onClick={() => input.current?.click()}
      >
        <PaperclipIcon /> {label}
      </button>
      <span id={hintId} className="attach-hint">
        {attachments.limitText}
      </span>
    </span>
  );
}

/** The chosen files as chips: name, size, upload progress or the reason it failed, and Remove. */
export function AttachmentChips({ attachments }: { attachments: Attachments }) {
  const { t } = useTranslation('case');
  if (attachments.items.length === 0) return null;
  return (
    <ul className="attachment-chips" aria-label={t('attachments.list')}>
      {attachments.items.map((item) => (
        <li key={item.key} className={`attachment-chip${item.error ? ' attachment-chip-failed' : ''}`}>
          <span className="attachment-name" title={item.name} dir="auto">
            {item.name}
          </span>
          <span className="attachment-size">{formatBytes(item.size)}</span>
          {item.progress !== null && (
            <progress
              className="attachment-progress"
              max={1}
              value={item.progress}
              aria-label={t('attachments.uploading', { name: item.name })}
            />
          )}
          {item.error && (
            <span className="attachment-error" role="alert">
              {item.error}
            </span>
          )}
          <button
            type="button"
            className="button-quiet attachment-remove"
            onClick={() => attachments.remove(item.key)}
            aria-label={t('attachments.remove', { name: item.name })}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
