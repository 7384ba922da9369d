import type { Media } from '../../api/types.js';
import { isSafeMediaUrl } from '../../format.js';
import { describeType, formatBytes, mediaKind } from '../../media-kinds.js';
import { FileIcon } from '../../ui/icons.js';

/** An image of a conversation, with the words that stand for it where it cannot be seen. */
export interface ShownImage {
  item: Media;
  alt: string;
}

interface MediaListProps {
  media: readonly Media[];
  /** Whose file this is, for the words of an image or a recording without a name: "from Sam", "sent by Ana". */
  whose: string;
  /** Opens an image in the viewer. */
  onOpenImage: (item: Media) => void;
}

/** A message's files (DESIGN.md §6): images inline, players for audio and video, documents as downloads. */
export function MediaList({ media, whose, onOpenImage }: MediaListProps) {
  return (
    <ul className="media" aria-label="Files">
      {media.map((item) => (
        <li key={item.id} className={`media-item media-${item.status}`}>
          <MediaItem item={item} whose={whose} onOpenImage={onOpenImage} />
        </li>
      ))}
    </ul>
  );
}

/** "Photo from Sam" unless the file has a name of its own. */
export function imageAlt(item: Media, whose: string): string {
  return item.name ?? `Photo ${whose}`;
}

function MediaItem({ item, whose, onOpenImage }: { item: Media; whose: string; onOpenImage: (item: Media) => void }) {
  if (item.status === 'pending') {
    return (
      <p className="media-note" role="status">
        <span className="spinner" aria-hidden="true" /> Fetching file{item.name ? ` ${item.name}` : ''}…
      </p>
    );
  }
  if (item.status === 'failed') {
    return (
      <p className="media-note media-note-failed">
        <strong>File not received{item.name ? ` (${item.name})` : ''}:</strong>{' '}
        {item.error?.message ?? 'the provider did not give the file.'}
      </p>
    );
  }
  if (item.status === 'deleted') {
    return <p className="media-note">File deleted{item.name ? ` (${item.name})` : ''}.</p>;
  }
  // The server gives a path of its own; anything else is never loaded (a guard, not a case that happens).
  if (!isSafeMediaUrl(item.url)) return <p className="media-note">A file at an address Caseline does not open.</p>;

  const kind = mediaKind(item.contentType);
  if (kind === 'image') {
    return (
      <button type="button" className="media-thumb" onClick={() => onOpenImage(item)} title="Show larger">
        <img src={item.url} alt={imageAlt(item, whose)} loading="lazy" decoding="async" />
      </button>
    );
  }
  if (kind === 'audio' || kind === 'video') {
    const label = item.name ?? `${kind === 'audio' ? 'Voice note' : 'Video'} ${whose}`;
    return (
      <figure className={`media-player media-${kind}`}>
        {kind === 'audio' ? (
          <audio controls preload="metadata" src={item.url} aria-label={label} />
        ) : (
          <video controls preload="metadata" src={item.url} aria-label={label} />
        )}
        <figcaption className="media-caption">
          {label}
          {item.size !== null && ` · ${formatBytes(item.size)}`}
        </figcaption>
      </figure>
    );
  }
  return (
    <a className="media-doc" href={item.url} download={item.name ?? ''}>
      <FileIcon />
      <span className="media-doc-text">
        <span className="visually-hidden">Download </span>
        <span className="media-doc-name">{item.name ?? 'File'}</span>{' '}
        <span className="media-doc-meta">
          {describeType(item.contentType)}
          {item.size !== null && ` · ${formatBytes(item.size)}`}
        </span>
      </span>
    </a>
  );
}
