import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api/client.js';
import { sameId, type CaseRecord, type Message, type PhoneNumber } from '../../api/types.js';
import { channelLabel } from '../../format.js';
import { navigate, paths } from '../../router.js';
import { canWorkCases, useApp } from '../../session.js';
import { ErrorAlert, Loading, Notice, StatusBadge, Time } from '../../ui/components.js';
import { useLoad } from '../../ui/use-load.js';
import { AnswersForm } from './answers-form.js';
import { Conversation } from './conversation.js';
import { HistoryPanel } from './history-panel.js';
import { MergeAction } from './merge-dialog.js';
import { MoveDialog } from './move-dialog.js';
import { NotesPanel } from './notes-panel.js';
import { ReplyBox } from './reply-box.js';
import { LockIcon } from '../../ui/icons.js';
import { SideTabs } from './side-tabs.js';
import { describeLockChange } from './lock-change.js';
import { mergeMessages, statusActionOf, whySendIsBlocked } from './case-rules.js';
import { CaseLabels } from './case-labels.js';
import { AssignButton } from '../../team/assign-dialog.js';
import { useCaseSeen } from '../../team/case-seen.js';
import { ShortcutKeys } from '../../team/keyboard.js';
import { OtherCases } from '../../team/other-cases.js';
import { WindowClosedNotice, WindowTimeLeft } from './window-clock.js';
import { RedactedNotice } from './redacted-notice.js';

/** Where focus goes once an action has finished: the worker keeps working without reaching for the mouse. */
type FocusTarget = 'reply' | 'status' | 'lock';

/**
 * What the screen shows of the case: the record as last read, a word about a lock someone
 * else changed, and how many readings there have been (the history reloads with each).
 */
interface CaseView {
  record: CaseRecord;
  lockNotice: string | null;
  reading: number;
}

/** `onShown` hears every reading of the case (the side-by-side layout follows its survey). */
export function CaseScreen({ caseNumber, onShown }: { caseNumber: number; onShown?: (record: CaseRecord) => void }) {
  const { t } = useTranslation(['case', 'common']);
  const { session, surveys } = useApp();
  const [older, setOlder] = useState<Message[]>([]);
  const [hasMoreOlder, setHasMoreOlder] = useState<boolean | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [moving, setMoving] = useState<Message | null>(null);
  const replyInput = useRef<HTMLTextAreaElement>(null);
  const statusButton = useRef<HTMLButtonElement>(null);
  const lockButton = useRef<HTMLButtonElement>(null);
  const focusAfter = useRef<FocusTarget | null>(null);
  const myId = session.user.id;

  // Null when there is no such case.
  const view = useLoad<CaseView | null>(
    async ({ shown }) => {
      let record: CaseRecord;
      try {
        record = await api<CaseRecord>('GET', `/records/${caseNumber}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
      const before = shown?.record.caseNumber === record.caseNumber ? shown.record : null;
      const change = before ? await describeLockChange(caseNumber, before.lockedBy, record.lockedBy, myId) : null;
      return { record, lockNotice: change ?? shown?.lockNotice ?? null, reading: (shown?.reading ?? 0) + 1 };
    },
    [caseNumber, myId],
    // A renamed or recoloured label changes the case's chips without an event of the case.
    { reloadOn: (event) => event.caseNumber === caseNumber || event.type === 'labels.changed' },
  );
  const { reload: refresh, update } = view;
  const show = (record: CaseRecord) => update((v) => v && { ...v, record, reading: v.reading + 1 });
  const setLockNotice = (lockNotice: string | null) => update((v) => v && { ...v, lockNotice });

  // Runs after the render that ends an action, when the element it names is there and enabled.
  useEffect(() => {
    if (!focusAfter.current || busy !== null) return;
    // A closed case's reply box stays disabled after Lock: the Reopen button is the next step then.
    const candidates = { reply: [replyInput, statusButton], status: [statusButton], lock: [lockButton] }[focusAfter.current];
    const target = candidates.map((ref) => ref.current).find((el) => el && !el.disabled);
    target?.focus();
    focusAfter.current = null;
  });

  const record = view.data?.record ?? null;
  const lockNotice = view.data?.lockNotice ?? null;
  useCaseSeen(myId, caseNumber, record?.messages ?? null);
  const shownRecord = useEffectEvent((shown: CaseRecord) => onShown?.(shown));
  useEffect(() => {
    if (record) shownRecord(record);
  }, [record]);
  const numberId = record ? String(record.numberId) : null;

  // The number tells whether the phone simulator can play this contact.
  const { data: number } = useLoad(
    async () => (numberId ? api<PhoneNumber>('GET', `/numbers/${encodeURIComponent(numberId)}`) : null),
    [numberId],
  );

  if (view.data === undefined && !view.error) return <Loading label={t('screen.loading', { caseNumber })} />;
  if (!view.data || !record) {
    return (
      <section className="page">
        <h1>{t('screen.title', { caseNumber })}</h1>
        <ErrorAlert error={view.data === null ? t('screen.notFound', { caseNumber }) : view.error} />
        <p>
          <a href="#/">{t('screen.backToCases')}</a>
        </p>
      </section>
    );
  }

  const survey = surveys.find((s) => sameId(s.id, record.surveyId));
  const me = session.user;
  const lockedByMe = record.lockedBy !== null && sameId(record.lockedBy.id, me.id);
  const lockedByOther = record.lockedBy !== null && !lockedByMe;
  // A redacted case is an outline kept for reports: the server refuses every change to it.
  const canWork = canWorkCases(session) && record.redactedAt === null;
  const hasCaseManagement = Boolean(survey?.caseManagement);
  const messages = mergeMessages(older, record.messages);
  const hasOlder = hasMoreOlder ?? record.hasOlderMessages;

  // The case's actions share one error line; `busy` names the running one, so only its own button says "…ing".
  const runAction = async (name: string, task: () => Promise<void>, afterFailure?: () => void) => {
    setBusy(name);
    setError(null);
    try {
      await task();
    } catch (e) {
      setError(errorMessage(e));
      afterFailure?.();
    } finally {
      setBusy(null);
    }
  };

  /**
   * lock, release, close or reopen; a refusal may mean the case changed, so it is fetched
   * again. Close and reopen name the version shown, so they never act on a case that changed unseen.
   */
  const act = (action: 'lock' | 'release' | 'close' | 'reopen', focus: FocusTarget) =>
    runAction(
      action,
      async () => {
        const body = action === 'close' || action === 'reopen' ? { version: record.version } : undefined;
        try {
          show(await api<CaseRecord>('POST', `/records/${caseNumber}/${action}`, body));
        } catch (e) {
          if (e instanceof ApiError && e.code === 'stale_record') {
            throw new Error(action === 'close' ? t('screen.staleClose', { caseNumber }) : t('screen.staleReopen', { caseNumber }));
          }
          throw e;
        }
        if (action === 'lock') setLockNotice(null);
        focusAfter.current = focus;
      },
      () => void refresh(),
    );

  // `l` locks a free case or releases mine; someone else's lock is theirs to give up.
  const toggleLock = () => {
    if (busy !== null || !canWork) return;
    if (!record.lockedBy) void act('lock', 'reply');
    else if (lockedByMe) void act('release', 'lock');
  };
  // `r` goes to the reply box; while it is blocked, to the button that unblocks it.
  const focusReply = () => {
    const target = [replyInput.current, lockButton.current].find((el) => el && !el.disabled);
    target?.focus();
  };
  // An admin assigns any case; the holder hands theirs over.
  const canAssign = canWork && (me.role === 'admin' || lockedByMe);

  const loadOlder = async () => {
    const first = messages[0];
    if (!first) return;
    setLoadingOlder(true);
    try {
      const page = await api<{ items: Message[]; hasMore: boolean }>(
        'GET',
        `/records/${caseNumber}/messages?before=${encodeURIComponent(String(first.id))}`,
      );
      setOlder((current) => [...page.items, ...current]);
      setHasMoreOlder(page.hasMore);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingOlder(false);
    }
  };

  const retry = (message: Message) =>
    runAction(`retry:${String(message.id)}`, async () => {
      await api('POST', `/records/${caseNumber}/messages/${encodeURIComponent(String(message.id))}/retry`);
      await refresh();
    });

  const statusAction = statusActionOf(record.status);
  const sendBlockedBecause = whySendIsBlocked(record, { canWork, lockedByMe });

  return (
    <section className="case-page" aria-labelledby="case-title">
      <ShortcutKeys handlers={{ r: focusReply, l: toggleLock }} />
      <header className="case-head">
        <div className="case-title-block">
          <p className="crumbs">
            <a href={survey ? paths.cases(survey.id) : '#/'}>{survey?.name ?? t('screen.cases')}</a>
          </p>
          <h1 id="case-title">
            {t('screen.title', { caseNumber: record.caseNumber })} <StatusBadge status={record.status} />
          </h1>
          <p className="case-facts">
            <span>
              <Trans
                t={t}
                i18nKey="screen.contact"
                values={{ contact: record.contact ?? '—' }}
                components={{ strong: <strong className="mono" /> }}
              />
            </span>
            <span>{channelLabel(record.channel)}</span>
            <span>
              <Trans t={t} i18nKey="screen.opened" components={{ time: <Time at={record.createdAt} /> }} />
            </span>
            {record.closedAt && record.status === 'closed' && (
              <span>
                <Trans t={t} i18nKey="screen.closed" components={{ time: <Time at={record.closedAt} /> }} />
              </span>
            )}
            <WindowTimeLeft record={record} myId={myId} />
            {/* A masked contact (•) cannot play the phone: the simulator is then for admins only. */}
            {number?.provider === 'sandbox' && record.contact && !record.contact.includes('•') && (
              <a href={paths.simulator(number.id, record.contact)}>{t('screen.openSimulator')}</a>
            )}
          </p>
          <CaseLabels record={record} canEdit={canWork} onChanged={show} />
        </div>
        <div className="case-actions" role="group" aria-label={t('screen.actions')}>
          <span className={`lock-state${lockedByMe ? ' lock-state-mine' : lockedByOther ? ' lock-state-other' : ''}`} role="status">
            {record.lockedBy ? (
              <>
                <LockIcon /> {lockedByMe ? t('lock.byYou') : t('lock.byOther', { name: record.lockedBy.name })}
              </>
            ) : (
              t('lock.none')
            )}
          </span>
          {canWork && !record.lockedBy && (
            <button
              ref={lockButton}
              type="button"
              className="button-primary"
              disabled={busy !== null}
              onClick={() => void act('lock', 'reply')}
            >
              {busy === 'lock' ? t('lock.locking') : t('lock.lock')}
            </button>
          )}
          {/* An admin may also release someone else's lock. */}
          {(lockedByMe || (lockedByOther && me.role === 'admin')) && (
            <button type="button" disabled={busy !== null} onClick={() => void act('release', 'lock')}>
              {lockedByMe
                ? busy === 'release'
                  ? t('lock.releasing')
                  : t('lock.release')
                : t('lock.releaseOther', { name: record.lockedBy?.name })}
            </button>
          )}
          {canAssign && (
            <AssignButton
              record={record}
              disabled={busy !== null}
              onAssigned={(assigned) => {
                show(assigned);
                setLockNotice(null);
              }}
            />
          )}
          <MergeAction record={record} available={canWork && hasCaseManagement && lockedByMe} disabled={busy !== null} />
          {canWork && hasCaseManagement && (
            <button
              ref={statusButton}
              type="button"
              disabled={!lockedByMe || busy !== null}
              title={lockedByMe ? undefined : statusAction.needsLock}
              onClick={() => void act(statusAction.name, 'status')}
            >
              {busy === statusAction.name ? statusAction.busyLabel : statusAction.label}
            </button>
          )}
        </div>
      </header>

      <div className="case-notices">
        <ErrorAlert error={view.error} />
        <ErrorAlert error={error} onDismiss={() => setError(null)} />
        <RedactedNotice record={record} />
        {lockNotice && (
          <div role="status">
            <Notice tone="warning">
              {lockNotice}{' '}
              <button type="button" className="button-link" onClick={() => setLockNotice(null)}>
                {t('common:actions.dismiss')}
              </button>
            </Notice>
          </div>
        )}
        {lockedByOther && (
          <Notice tone="warning">
            <Trans
              t={t}
              i18nKey={me.role === 'admin' ? 'notices.lockedByOtherAdmin' : 'notices.lockedByOther'}
              values={{ name: record.lockedBy?.name }}
              components={{ strong: <strong dir="auto" /> }}
            />
          </Notice>
        )}
        {record.optedOut && (
          <Notice tone="warning">
            <Trans t={t} i18nKey="notices.optedOut" values={{ contact: record.contact ?? '' }} components={{ strong: <strong /> }} />
          </Notice>
        )}
        <WindowClosedNotice record={record} myId={myId} />
        {record.status === 'closed' && (
          <Notice>
            {record.contact === null
              ? canWork
                ? t('notices.closedUnknownReopen')
                : t('notices.closedUnknown')
              : canWork
                ? t('notices.closedReopen', { contact: record.contact })
                : t('notices.closed', { contact: record.contact })}
          </Notice>
        )}
      </div>

      <div className="case-layout">
        <div className="case-main">
          <h2 className="visually-hidden">{t('conversation.heading')}</h2>
          <Conversation
            contact={record.contact}
            messages={messages}
            hasOlder={hasOlder}
            loadingOlder={loadingOlder}
            onLoadOlder={() => void loadOlder()}
            canAct={lockedByMe}
            onMove={setMoving}
            onRetry={(message) => void retry(message)}
            retrying={busy?.startsWith('retry:') ? busy.slice(6) : null}
          />
          <ReplyBox
            record={record}
            blockedBecause={sendBlockedBecause}
            inputRef={replyInput}
            unblock={
              record.status === 'closed' && lockedByMe && canWork && hasCaseManagement
                ? {
                    label: busy === 'reopen' ? t('reply.reopening') : t('reply.reopenAndReply'),
                    disabled: busy !== null,
                    onClick: () => void act('reopen', 'reply'),
                  }
                : null
            }
            templates={number?.templates}
            onSent={(message) => {
              show({ ...record, messages: mergeMessages(record.messages, [message]) });
              void refresh();
            }}
          />
        </div>
        <aside className="case-side" aria-label={t('screen.details')}>
          <OtherCases record={record} />
          <SideTabs
            tabs={[
              {
                id: 'answers',
                label: t('tabs.answers'),
                panel: survey ? (
                  <AnswersForm record={record} survey={survey} editable={lockedByMe} onSaved={show} onStale={() => void refresh()} />
                ) : (
                  <p className="empty">{t('tabs.noSurvey')}</p>
                ),
              },
              {
                id: 'notes',
                label: t('tabs.notes', { total: record.notes.length }),
                panel: <NotesPanel caseNumber={caseNumber} notes={record.notes} canAdd={canWork} onAdded={() => void refresh()} />,
              },
              { id: 'history', label: t('tabs.history'), panel: <HistoryPanel caseNumber={caseNumber} reading={view.data.reading} /> },
            ]}
          />
        </aside>
      </div>

      <MoveDialog
        caseNumber={caseNumber}
        surveyId={record.surveyId}
        contact={record.contact}
        message={moving}
        onClose={() => setMoving(null)}
        onMoved={(created) => {
          setMoving(null);
          navigate(paths.case(created.caseNumber));
        }}
      />
    </section>
  );
}
