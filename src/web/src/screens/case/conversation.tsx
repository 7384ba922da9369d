import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Media, Message } from '../../api/types.js';
import { channelLabel, isFailed, shorten, splitReference, statusLabel, statusTicks } from '../../format.js';
import { mediaKind } from '../../media-kinds.js';
import { Time } from '../../ui/components.js';
import { imageAlt, MediaList, type ShownImage, type Whose } from './media-item.js';
import { MediaViewer } from './media-viewer.js';

interface ConversationProps {
  contact: string | null;
  messages: Message[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  /** Set when the user holds the lock: inbound messages can be moved and failed ones retried. */
  canAct: boolean;
  onMove: (message: Message) => void;
  onRetry: (message: Message) => void;
  retrying: string | null;
}

export function Conversation(props: ConversationProps) {
  const { t } = useTranslation(['case', 'common']);
  const { messages, hasOlder, loadingOlder, onLoadOlder } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const lastId = messages.length ? String(messages[messages.length - 1]!.id) : null;
  const stuckToBottom = useRef(true);
  const [viewing, setViewing] = useState<string | null>(null);
  // Worded at each render, so the images' words follow a change of the console's language.
  const images = imagesOf(messages, props.contact);

  // Follow new messages at the bottom unless the reader has scrolled up to read older ones.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  }, [lastId]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      stuckToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    };
    // An image or player that loads after the messages were shown makes the page taller: a
    // reader at the bottom stays there. `load` does not bubble, so it is heard while capturing.
    const onLoad = () => {
      if (stuckToBottom.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    el.addEventListener('load', onLoad, true);
    el.addEventListener('loadedmetadata', onLoad, true);
    // So does a conversation made shorter, as when files attached to the reply box take room.
    const resized = new ResizeObserver(onLoad);
    resized.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      el.removeEventListener('load', onLoad, true);
      el.removeEventListener('loadedmetadata', onLoad, true);
      resized.disconnect();
    };
  }, []);

  return (
    // Focusable, so a keyboard user can scroll a conversation that has nothing else to focus (a read-only case).
    <div
      className="conversation"
      ref={scroller}
      tabIndex={0}
      role="region"
      aria-label={props.contact === null ? t('conversation.regionUnknown') : t('conversation.region', { contact: props.contact })}
    >
      {hasOlder && (
        <div className="older">
          <button type="button" className="button-quiet" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? t('common:loading') : t('conversation.showOlder')}
          </button>
        </div>
      )}
      {messages.length === 0 ? (
        <p className="empty">{t('conversation.empty')}</p>
      ) : (
        <ol className="messages" aria-label={t('conversation.heading')}>
          {messages.map((message) => (
            <MessageBubble key={String(message.id)} message={message} {...props} onOpenImage={(item) => setViewing(item.id)} />
          ))}
        </ol>
      )}
      <MediaViewer images={images} openId={viewing} onShow={setViewing} onClose={() => setViewing(null)} />
    </div>
  );
}

/** From the contact, or sent by a worker or by Caseline: whose a file is, for the words that stand in for it. */
function whoseFile(message: Message, contact: string | null): Whose {
  if (message.direction === 'in') return { by: 'contact', name: contact };
  return message.automatic ? { by: 'automatic' } : { by: 'worker', name: message.author?.name ?? 'Caseline' };
}

/** The conversation's stored images, oldest first, for the viewer to go through. */
function imagesOf(messages: readonly Message[], contact: string | null): ShownImage[] {
  return messages.flatMap((message) =>
    message.media
      .filter((item) => item.status === 'stored' && mediaKind(item.contentType) === 'image')
      .map((item) => ({ item, alt: imageAlt(item, whoseFile(message, contact)) })),
  );
}

function MessageBubble({
  message,
  contact,
  canAct,
  onMove,
  onRetry,
  retrying,
  onOpenImage,
}: ConversationProps & { message: Message; onOpenImage: (item: Media) => void }) {
  const { t } = useTranslation('case');
  const inbound = message.direction === 'in';
  const { body, suffix } = splitReference(message.text, message.reference);
  const failed = isFailed(message.status);
  const movable = inbound && canAct;
  const who = inbound ? contact : (message.author?.name ?? 'Caseline');

  return (
    <li className={`msg ${inbound ? 'msg-in' : 'msg-out'}${failed ? ' msg-failed' : ''}`} data-message-id={String(message.id)}>
      <div
        className={`bubble${movable ? ' bubble-movable' : ''}`}
        title={movable ? t('message.moveHint') : undefined}
        onClick={(event) => {
          if (!movable) return;
          if ((event.target as HTMLElement).closest('a, button, audio, video')) return;
          if (window.getSelection()?.toString()) return;
          onMove(message);
        }}
      >
        <span className="visually-hidden">
          {inbound
            ? who === null
              ? t('message.fromUnknown')
              : t('message.from', { name: who })
            : message.automatic
              ? t('message.automaticMessage')
              : t('message.replyFrom', { name: who })}
        </span>
        {/* Retention or an erasure emptied it (DESIGN.md §9): say so rather than draw an empty bubble. */}
        {!body && !suffix && message.media.length === 0 && <p className="msg-text msg-removed">{t('message.removed')}</p>}
        {(body || suffix) && (
          <p className="msg-text" dir="auto">
            {body}
            {suffix && (
              <>
                {' '}
                <span className="reference" title={t('message.reference')}>
                  {suffix}
                </span>
              </>
            )}
          </p>
        )}
        {message.media.length > 0 && <MediaList media={message.media} whose={whoseFile(message, contact)} onOpenImage={onOpenImage} />}
        <div className="msg-meta">
          <Time at={message.at} />
          <span className="channel">{channelLabel(message.channel)}</span>
          {/* The system wrote it (an acknowledgement, a closing text, a multi-case reply): it answers no one. */}
          {message.automatic ? (
            <span className="automatic-mark" title={t('message.automaticTitle')}>
              {t('message.automatic')}
            </span>
          ) : (
            !inbound &&
            message.author && (
              <span className="author" dir="auto">
                {message.author.name}
              </span>
            )
          )}
          {!inbound && <DeliveryStatus status={message.status} />}
        </div>
        {failed && (
          <div className="msg-error">
            <span>
              {message.error ? t('message.notDeliveredBecause', { reason: failureReason(message.error) }) : t('message.notDelivered')}
            </span>
            <button
              type="button"
              onClick={() => onRetry(message)}
              disabled={!canAct || retrying === String(message.id)}
              title={canAct ? undefined : t('message.lockToRetry')}
            >
              {retrying === String(message.id) ? t('message.retrying') : t('message.retry')}
            </button>
          </div>
        )}
      </div>
      {movable && (
        <button
          type="button"
          className="msg-action"
          aria-label={t('message.moveLabel', { text: shorten(message.text, 40) })}
          onClick={() => onMove(message)}
        >
          {t('message.move')}
        </button>
      )}
    </li>
  );
}

export function DeliveryStatus({ status }: { status: string }) {
  return (
    <span className={`msg-status msg-status-${status}`} title={statusLabel(status)}>
      <span className="ticks" aria-hidden="true">
        {statusTicks(status)}
      </span>{' '}
      <span>{statusLabel(status)}</span>
    </span>
  );
}

/** The provider's reason, with its code unless the reason already names it. */
function failureReason(error: { code: string | null; message: string }): string {
  if (!error.code || error.message.includes(error.code)) return error.message;
  return `${error.message} (${error.code})`;
}
