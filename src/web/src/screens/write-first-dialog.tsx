import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { caseJoinApi } from '../api/case-joins.js';
import { sameId, type Page, type PhoneNumber } from '../api/types.js';
import { channelLabel } from '../format.js';
import { navigate, paths } from '../router.js';
import { canWorkCases, useApp } from '../session.js';
import { Dialog, ErrorAlert } from '../ui/components.js';
import { InputField, SegmentedChoice, SelectField, TextAreaField } from '../ui/fields.js';
import { useLoad } from '../ui/use-load.js';
import { useRequest } from '../ui/use-request.js';
import { AttachButton, AttachmentChips, attachmentsBlockSend, useAttachments, useFileDrop } from './case/attachments.js';
import { useTemplateSend } from './case/template-picker.js';

const MODES = ['text', 'template'] as const;
type Mode = (typeof MODES)[number];
const MODE_KEYS = { text: 'writeFirst.modeText', template: 'writeFirst.modeTemplate' } as const satisfies Record<Mode, string>;

/**
 * "Write first" beside the case list (DESIGN.md §7 "Writing first"): a new case for a
 * contact, locked by me, opened with my message. On WhatsApp, outside the 24-hour window
 * (a contact who has not written lately), only a template can be sent.
 */
export function WriteFirstButton({ surveyId }: { surveyId: string }) {
  const { t } = useTranslation('cases');
  const { session } = useApp();
  const [open, setOpen] = useState(false);
  if (!canWorkCases(session)) return null;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} title={t('writeFirst.buttonHint')}>
        {t('writeFirst.title')}
      </button>
      {open && <WriteFirstDialog surveyId={surveyId} onClose={() => setOpen(false)} />}
    </>
  );
}

function WriteFirstDialog({ surveyId, onClose }: { surveyId: string; onClose: () => void }) {
  const { t } = useTranslation(['cases', 'common']);
  const numbers = useLoad(
    async () => (await api<Page<PhoneNumber>>('GET', '/numbers')).items.filter((n) => sameId(n.surveyId, surveyId) && !n.archivedAt),
    [surveyId],
  );
  const [numberId, setNumberId] = useState('');
  const [contact, setContact] = useState('');
  const [text, setText] = useState('');
  const [chosenMode, setMode] = useState<Mode | null>(null);
  const { busy, error, run } = useRequest();
  const list = numbers.data ?? [];
  const number = list.find((n) => n.id === numberId) ?? list[0] ?? null;
  const templates = number?.templates ?? [];
  // A WhatsApp number with templates starts on a template: free text reaches only someone who wrote in the last 24 hours.
  const mode: Mode = chosenMode ?? (number?.channel === 'whatsapp' && templates.length > 0 ? 'template' : 'text');
  const templateSend = useTemplateSend(templates, { disabled: busy, idPrefix: 'write-first', typedText: false });
  const payload = mode === 'template' && templateSend.payload !== true ? templateSend.payload : null;
  // Files go with a text, not with a template (DESIGN.md §6).
  const attachments = useAttachments({ disabled: busy || mode !== 'text' });
  const files = useFileDrop(attachments);
  const media = mode === 'text' ? attachments.ids : [];
  const filesWait = mode === 'text' ? attachmentsBlockSend(attachments) : null;
  const ready =
    number !== null &&
    contact.trim() !== '' &&
    filesWait === null &&
    (mode === 'text' ? text.trim() !== '' || media.length > 0 : payload !== null);

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!number || !ready) return;
    await run(
      async () => {
        const created = await caseJoinApi.writeFirst(surveyId, {
          numberId: number.id,
          contact: contact.trim(),
          ...(mode === 'text' ? { text, ...(media.length > 0 ? { media } : {}) } : payload ? { template: payload } : {}),
        });
        onClose();
        navigate(paths.case(created.caseNumber));
      },
      { keepBusyOnSuccess: true },
    );
  };

  return (
    <Dialog title={t('writeFirst.title')} open onClose={() => !busy && onClose()}>
      <form onSubmit={(event) => void submit(event)} className={`stack${files.dragging ? ' is-dropping' : ''}`} {...files.dropProps}>
        <p>{t('writeFirst.intro')}</p>
        {numbers.data && list.length === 0 && <p>{t('writeFirst.noNumber')}</p>}
        <SelectField
          label={t('writeFirst.fromNumber')}
          options={list.map((n) => ({
            value: n.id,
            label: t('writeFirst.numberOption', { number: n.ourNumber, channel: channelLabel(n.channel) }),
          }))}
          value={number?.id ?? ''}
          disabled={busy}
          onChange={(e) => {
            setNumberId(e.target.value);
            setMode(null);
          }}
        />
        <InputField
          label={t('writeFirst.contact')}
          hint={t('writeFirst.contactHint')}
          type="tel"
          inputMode="tel"
          required
          value={contact}
          disabled={busy}
          onChange={(e) => setContact(e.target.value)}
        />
        {number?.channel === 'whatsapp' && (
          <SegmentedChoice
            legend={t('writeFirst.sendLegend')}
            name="write-first-mode"
            options={MODES.map((m) => [m, t(MODE_KEYS[m])] as const)}
            value={mode}
            onChange={setMode}
          />
        )}
        {mode === 'text' ? (
          <>
            <TextAreaField
              label={t('writeFirst.message')}
              rows={4}
              dir="auto"
              value={text}
              disabled={busy}
              onChange={(e) => setText(e.target.value)}
              onPaste={files.onPaste}
            />
            <div className="reply-files">
              <AttachButton attachments={attachments} />
              <AttachmentChips attachments={attachments} />
            </div>
          </>
        ) : (
          templateSend.controls
        )}
        <ErrorAlert error={error ?? numbers.error} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('common:actions.cancel')}
          </button>
          <button type="submit" className="button-primary" disabled={busy || !ready} title={filesWait ?? undefined}>
            {busy ? t('writeFirst.sending') : t('writeFirst.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
