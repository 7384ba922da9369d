import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Media } from '../../api/types.js';
import { isSafeMediaUrl } from '../../format.js';
import { describeType, formatBytes, mediaKind } from '../../media-kinds.js';
import { FileIcon } from '../../ui/icons.js';

/** An image of a conversation, with the words that stand for it where it cannot be seen. */
export interface ShownImage {
  item: Media;
  alt: string;
}

/**
 * Whose file this is, for the words of an image or a recording without a name: "from Sam",
 * "sent by Ana". Each language words "Photo from Sam" whole, so this names the sender, not words.
 */
export type Whose =
  /** The contact wrote it; null when their number is not shown. */
  | { by: 'contact'; name: string | null }
  /** A worker replied with it ("Caseline" when the author is unknown). */
  | { by: 'worker'; name: string }
  /** Caseline sent it on its own. */
  | { by: 'automatic' }
  /** The phone simulator: the phone played in the browser, and the helpline it writes to. */
  | { by: 'thisPhone' }
  | { by: 'helpline' };

type NamedKind = 'photo' | 'voiceNote' | 'video';

// Full keys, so every language words each one whole.
const FILE_WORDS = {
  photo: {
    fromContact: 'case:media.photo.fromContact',
    fromTheContact: 'case:media.photo.fromTheContact',
    sentBy: 'case:media.photo.sentBy',
    automatic: 'case:media.photo.automatic',
    thisPhone: 'case:media.photo.thisPhone',
    helpline: 'case:media.photo.helpline',
  },
  voiceNote: {
    fromContact: 'case:media.voiceNote.fromContact',
    fromTheContact: 'case:media.voiceNote.fromTheContact',
    sentBy: 'case:media.voiceNote.sentBy',
    automatic: 'case:media.voiceNote.automatic',
    thisPhone: 'case:media.voiceNote.thisPhone',
    helpline: 'case:media.voiceNote.helpline',
  },
  video: {
    fromContact: 'case:media.video.fromContact',
    fromTheContact: 'case:media.video.fromTheContact',
    sentBy: 'case:media.video.sentBy',
    automatic: 'case:media.video.automatic',
    thisPhone: 'case:media.video.thisPhone',
    helpline: 'case:media.video.helpline',
  },
} as const;

/** "Photo from Sam", "Voice note sent automatically", "Video from the helpline". */
function fileWords(kind: NamedKind, whose: Whose): string {
  const words = FILE_WORDS[kind];
  switch (whose.by) {
    case 'contact':
      return whose.name === null ? i18next.t(words.fromTheContact) : i18next.t(words.fromContact, { name: whose.name });
    case 'worker':
      return i18next.t(words.sentBy, { name: whose.name });
    case 'automatic':
      return i18next.t(words.automatic);
    case 'thisPhone':
      return i18next.t(words.thisPhone);
    case 'helpline':
      return i18next.t(words.helpline);
  }
}

interface MediaListProps {
  media: readonly Media[];
  whose: Whose;
  /** Opens an image in the viewer. */
  onOpenImage: (item: Media) => void;
}

/** A message's files (DESIGN.md §6): images inline, players for audio and video, documents as downloads. */
export function MediaList({ media, whose, onOpenImage }: MediaListProps) {
  const { t } = useTranslation('case');
  return (
    <ul className="media" aria-label={t('media.files')}>
      {media.map((item) => (
        <li key={item.id} className={`media-item media-${item.status}`}>
          <MediaItem item={item} whose={whose} onOpenImage={onOpenImage} />
        </li>
      ))}
    </ul>
  );
}

/** "Photo from Sam" unless the file has a name of its own, in the console's language now. */
export function imageAlt(item: Media, whose: Whose): string {
  return item.name ?? fileWords('photo', whose);
}

function MediaItem({ item, whose, onOpenImage }: { item: Media; whose: Whose; onOpenImage: (item: Media) => void }) {
  const { t } = useTranslation(['case', 'common']);
  if (item.status === 'pending') {
    return (
      <p className="media-note" role="status">
        <span className="spinner" aria-hidden="true" /> {item.name ? t('media.fetchingNamed', { name: item.name }) : t('media.fetching')}
      </p>
    );
  }
  if (item.status === 'failed') {
    return (
      <p className="media-note media-note-failed">
        <strong>{item.name ? t('media.notReceivedNamed', { name: item.name }) : t('media.notReceived')}</strong>{' '}
        {item.error?.message ?? t('media.providerGaveNothing')}
      </p>
    );
  }
  if (item.status === 'deleted') {
    return <p className="media-note">{item.name ? t('media.deletedNamed', { name: item.name }) : t('media.deleted')}</p>;
  }
  // The server gives a path of its own; anything else is never loaded (a guard, not a case that happens).
  if (!isSafeMediaUrl(item.url)) return <p className="media-note">{t('media.unsafe')}</p>;

  const kind = mediaKind(item.contentType);
  if (kind === 'image') {
    return (
      <button type="button" className="media-thumb" onClick={() => onOpenImage(item)} title={t('media.showLarger')}>
        <img src={item.url} alt={imageAlt(item, whose)} loading="lazy" decoding="async" />
      </button>
    );
  }
  if (kind === 'audio' || kind === 'video') {
    const label = item.name ?? fileWords(kind === 'audio' ? 'voiceNote' : 'video', whose);
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
        <span className="visually-hidden">{t('common:actions.download')} </span>
        <span className="media-doc-name" dir="auto">
          {item.name ?? t('media.file')}
        </span>{' '}
        <span className="media-doc-meta">
          {describeType(item.contentType)}
          {item.size !== null && ` · ${formatBytes(item.size)}`}
        </span>
      </span>
    </a>
  );
}
