import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Media, Message } from '../../api/types.js';
import { channelLabel, isFailed, shorten, splitReference, statusLabel, statusTicks } from '../../format.js';
import { mediaKind } from '../../media-kinds.js';
import { Time } from '../../ui/components.js';
import { imageAlt, MediaList, type ShownImage } from './media-item.js';
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
  const { messages, hasOlder, loadingOlder, onLoadOlder } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const lastId = messages.length ? String(messages[messages.length - 1]!.id) : null;
  const stuckToBottom = useRef(true);
  const [viewing, setViewing] = useState<string | null>(null);
  const images = useMemo(() => imagesOf(messages, props.contact), [messages, props.contact]);

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
      aria-label={`Conversation with ${props.contact ?? 'the contact'}`}
    >
      {hasOlder && (
        <div className="older">
          <button type="button" className="button-quiet" onClick={onLoadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading…' : 'Show older messages'}
          </button>
        </div>
      )}
      {messages.length === 0 ? (
        <p className="empty">No messages in this case.</p>
      ) : (
        <ol className="messages" aria-label="Conversation">
          {messages.map((message) => (
            <MessageBubble key={String(message.id)} message={message} {...props} onOpenImage={(item) => setViewing(item.id)} />
          ))}
        </ol>
      )}
      <MediaViewer images={images} openId={viewing} onShow={setViewing} onClose={() => setViewing(null)} />
    </div>
  );
}

/** "from Sam" or "sent by Ana": whose a file is, for the words that stand in for it. */
function whoseFile(message: Message, contact: string | null): string {
  if (message.direction === 'in') return `from ${contact ?? 'the contact'}`;
  return message.automatic ? 'sent automatically' : `sent by ${message.author?.name ?? 'Caseline'}`;
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
  const inbound = message.direction === 'in';
  const { body, suffix } = splitReference(message.text, message.reference);
  const failed = isFailed(message.status);
  const movable = inbound && canAct;
  const who = inbound ? contact : (message.author?.name ?? 'Caseline');

  return (
    <li className={`msg ${inbound ? 'msg-in' : 'msg-out'}${failed ? ' msg-failed' : ''}`} data-message-id={String(message.id)}>
      <div
        className={`bubble${movable ? ' bubble-movable' : ''}`}
        title={movable ? 'Click to move this message to a new case' : undefined}
        onClick={(event) => {
          if (!movable) return;
          if ((event.target as HTMLElement).closest('a, button, audio, video')) return;
          if (window.getSelection()?.toString()) return;
          onMove(message);
        }}
      >
        <span className="visually-hidden">
          {inbound ? `From ${who}:` : message.automatic ? 'Automatic message:' : `Reply from ${who}:`}
        </span>
        {/* Retention or an erasure emptied it (DESIGN.md §9): say so rather than draw an empty bubble. */}
        {!body && !suffix && message.media.length === 0 && <p className="msg-text msg-removed">Removed</p>}
        {(body || suffix) && (
          <p className="msg-text" dir="auto">
            {body}
            {suffix && (
              <>
                {' '}
                <span className="reference" title="The case reference appended to the reply">
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
            <span className="automatic-mark" title="Sent by Caseline on its own, not by a person">
              Automatic
            </span>
          ) : (
            !inbound && message.author && <span className="author">{message.author.name}</span>
          )}
          {!inbound && <DeliveryStatus status={message.status} />}
        </div>
        {failed && (
          <div className="msg-error">
            <span>Not delivered{message.error ? `: ${failureReason(message.error)}` : ''}</span>
            <button
              type="button"
              onClick={() => onRetry(message)}
              disabled={!canAct || retrying === String(message.id)}
              title={canAct ? undefined : 'Lock the case to retry'}
            >
              {retrying === String(message.id) ? 'Retrying…' : 'Retry'}
            </button>
          </div>
        )}
      </div>
      {movable && (
        <button
          type="button"
          className="msg-action"
          aria-label={`Move message “${shorten(message.text, 40)}” to a new case`}
          onClick={() => onMove(message)}
        >
          Move to new case…
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
