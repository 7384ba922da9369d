import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type SyntheticEvent } from 'react';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError, query } from '../api/client.js';
import type { Page, PhoneNumber, SimulatorMessage } from '../api/types.js';
import { channelLabel, statusLabel, statusTicks } from '../format.js';
import { useApp } from '../session.js';
import { ErrorAlert, Loading, Notice, Time } from '../ui/components.js';
import { SelectField } from '../ui/fields.js';
import { Screen } from '../ui/screen.js';
import { useLoad } from '../ui/use-load.js';
import { useRequest } from '../ui/use-request.js';
import { mediaKind } from '../media-kinds.js';
import { AttachButton, AttachmentChips, attachmentsBlockSend, useAttachments, useFileDrop } from './case/attachments.js';
import { imageAlt, MediaList, type ShownImage, type Whose } from './case/media-item.js';
import { MediaViewer } from './case/media-viewer.js';

const CONTACT_KEY = 'caseline.simulator.contact';
const POLL_MS = 3000;

function randomContact(): string {
  // +1 555 01xx numbers are reserved for fiction, so a test never texts a real person.
  return `+1555${String(Math.floor(1000000 + Math.random() * 8999999))}`;
}

/** A pretend phone that texts a sandbox number and shows the replies (DESIGN.md §3). */
export function SimulatorScreen({ numberId, contact }: { numberId: string | null; contact: string | null }) {
  const { t } = useTranslation('account');
  const { surveys } = useApp();
  const sandboxes = useLoad(async () => {
    try {
      return (await api<Page<PhoneNumber>>('GET', '/numbers')).items.filter((n) => n.provider === 'sandbox');
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) throw new Error(i18next.t('account:simulator.adminsOnly'));
      throw e;
    }
  }, []);
  const loadError = sandboxes.error;
  const numbers = sandboxes.data ?? (loadError ? [] : null);
  const [selected, setSelected] = useState<string | null>(numberId);
  const [from, setFrom] = useState(() => contact ?? window.localStorage.getItem(CONTACT_KEY) ?? randomContact());

  // A link to another number or contact (from a case) chooses them; a link without keeps the choice.
  const [linked, setLinked] = useState({ numberId, contact });
  if (linked.numberId !== numberId || linked.contact !== contact) {
    setLinked({ numberId, contact });
    if (numberId) setSelected(numberId);
    if (contact) setFrom(contact);
  }

  useEffect(() => {
    if (from.trim()) window.localStorage.setItem(CONTACT_KEY, from.trim());
  }, [from]);

  const number = numbers?.find((n) => String(n.id) === selected) ?? numbers?.[0] ?? null;

  return (
    <Screen title={t('simulator.title')} className="page simulator-page" beside={<p className="page-sub">{t('simulator.intro')}</p>}>
      <ErrorAlert error={loadError} />
      {numbers === null ? (
        <Loading />
      ) : numbers.length === 0 ? (
        !loadError && <Notice>{t('simulator.noSandbox')}</Notice>
      ) : (
        <div className="simulator">
          <div className="simulator-settings">
            <SelectField
              id="sim-number"
              label={t('simulator.number')}
              options={numbers.map((n) => ({
                value: String(n.id),
                label: `${n.ourNumber} · ${surveys.find((s) => String(s.id) === String(n.surveyId))?.name ?? t('simulator.noSurvey')}`,
              }))}
              value={number ? String(number.id) : ''}
              onChange={(e) => setSelected(e.target.value)}
            />
            <div className="field">
              <label htmlFor="sim-contact">{t('simulator.contact')}</label>
              <div className="copy-field">
                <input id="sim-contact" type="tel" value={from} autoComplete="off" onChange={(e) => setFrom(e.target.value)} />
                <button type="button" onClick={() => setFrom(randomContact())}>
                  {t('simulator.newContact')}
                </button>
              </div>
            </div>
            <p className="hint">{t('simulator.hint')}</p>
          </div>
          {number && <Phone key={`${String(number.id)}|${from.trim()}`} number={number} from={from.trim()} />}
        </div>
      )}
    </Screen>
  );
}

/** Whose a file on the phone is: this phone's, or the helpline's. */
const whoseOnPhone = (m: SimulatorMessage): Whose => (m.direction === 'in' ? { by: 'thisPhone' } : { by: 'helpline' });

function Phone({ number, from }: { number: PhoneNumber; from: string }) {
  const { t, i18n } = useTranslation(['account', 'common']);
  const language = i18n.resolvedLanguage;
  const [text, setText] = useState('');
  const { busy, error: sendError, run } = useRequest();
  const attachments = useAttachments({ disabled: busy || !from });
  const files = useFileDrop(attachments);
  const filesWait = attachmentsBlockSend(attachments);
  const [viewing, setViewing] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const base = `/numbers/${encodeURIComponent(String(number.id))}/simulator`;

  // The phone is made afresh for each contact typed, so it waits a moment before the first
  // load: a number still being typed is not looked up keystroke by keystroke.
  const conversation = useLoad(
    async () => (from ? (await api<{ items: SimulatorMessage[] }>('GET', `${base}${query({ contact: from })}`)).items : []),
    [base, from],
    {
      reloadOn: (event) => event.type === 'message.added' || event.type === 'message.status' || event.type === 'media.updated',
      delayMs: 300,
    },
  );
  const { reload } = conversation;
  const messages = conversation.data ?? (conversation.error ? [] : null);
  // Sending and loading share one error line.
  const error = sendError ?? conversation.error;

  // Live events tell of most changes; polling catches any the stream missed.
  useEffect(() => {
    const poll = window.setInterval(() => void reload(), POLL_MS);
    return () => window.clearInterval(poll);
  }, [reload]);

  const images = useMemo<ShownImage[]>(
    () =>
      (conversation.data ?? []).flatMap((m) =>
        m.media
          .filter((item) => item.status === 'stored' && mediaKind(item.contentType) === 'image')
          .map((item) => ({ item, alt: imageAlt(item, whoseOnPhone(m)) })),
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the words for an image follow a newly chosen language
    [conversation.data, language],
  );

  const count = messages?.length ?? 0;
  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count]);

  const send = async (event?: SyntheticEvent<HTMLFormElement>) => {
    event?.preventDefault();
    const media = attachments.ids;
    if ((!text.trim() && media.length === 0) || !from || filesWait) return;
    await run(async () => {
      await api('POST', base, { from, text, ...(media.length > 0 ? { media } : {}) });
      setText('');
      attachments.clear();
      await reload();
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <div className="phone" role="region" aria-label={t('simulator.phone', { contact: from })}>
      <div className="phone-head">
        <span className="phone-peer">{number.ourNumber}</span>
        <span className="phone-sub">{t('simulator.channelFrom', { channel: channelLabel(number.channel), contact: from || '—' })}</span>
      </div>
      <ol className="phone-messages" ref={list} aria-label={t('simulator.messages')} aria-live="polite">
        {messages === null ? (
          <li className="phone-empty">{t('common:loading')}</li>
        ) : messages.length === 0 ? (
          <li className="phone-empty">{t('simulator.empty')}</li>
        ) : (
          messages.map((m) => {
            const sentByPhone = m.direction === 'in';
            return (
              <li key={String(m.id)} className={`phone-msg ${sentByPhone ? 'phone-msg-sent' : 'phone-msg-received'}`}>
                <span className="visually-hidden">{sentByPhone ? t('simulator.youSent') : t('simulator.received')}</span>
                {m.text && (
                  <p className="msg-text" dir="auto">
                    {m.text}
                  </p>
                )}
                {m.media.length > 0 && <MediaList media={m.media} whose={whoseOnPhone(m)} onOpenImage={(item) => setViewing(item.id)} />}
                <span className="phone-meta">
                  <Time at={m.at} />
                  {sentByPhone ? null : <span className="visually-hidden"> {statusLabel(String(m.status))}</span>}
                  {sentByPhone && <span aria-hidden="true"> {statusTicks(String(m.status)) || '✓'}</span>}
                </span>
              </li>
            );
          })
        )}
      </ol>
      <MediaViewer images={images} openId={viewing} onShow={setViewing} onClose={() => setViewing(null)} />
      <form className={`phone-compose${files.dragging ? ' is-dropping' : ''}`} onSubmit={(event) => void send(event)} {...files.dropProps}>
        <ErrorAlert error={error} />
        <AttachmentChips attachments={attachments} />
        <AttachButton attachments={attachments} label={t('simulator.attach')} />
        <label htmlFor="sim-text" className="visually-hidden">
          {t('simulator.text')}
        </label>
        <textarea
          id="sim-text"
          rows={2}
          dir="auto"
          placeholder={t('simulator.text')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={files.onPaste}
        />
        <button
          type="submit"
          className="button-primary"
          disabled={busy || (!text.trim() && attachments.ids.length === 0) || !from || filesWait !== null}
          title={filesWait ?? undefined}
        >
          {busy ? t('simulator.sending') : t('simulator.send')}
        </button>
      </form>
    </div>
  );
}
