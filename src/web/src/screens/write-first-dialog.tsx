import { useState, type SyntheticEvent } from 'react';
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

const MODES = [
  ['text', 'Text'],
  ['template', 'Template'],
] as const;
type Mode = (typeof MODES)[number][0];

/**
 * "Write first" beside the case list (DESIGN.md §7 "Writing first"): a new case for a
 * contact, locked by me, opened with my message. On WhatsApp, outside the 24-hour window
 * (a contact who has not written lately), only a template can be sent.
 */
export function WriteFirstButton({ surveyId }: { surveyId: string }) {
  const { session } = useApp();
  const [open, setOpen] = useState(false);
  if (!canWorkCases(session)) return null;
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} title="Start a new conversation: a case locked by you, with your first message">
        Write first
      </button>
      {open && <WriteFirstDialog surveyId={surveyId} onClose={() => setOpen(false)} />}
    </>
  );
}

function WriteFirstDialog({ surveyId, onClose }: { surveyId: string; onClose: () => void }) {
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
    <Dialog title="Write first" open onClose={() => !busy && onClose()}>
      <form onSubmit={(event) => void submit(event)} className={`stack${files.dragging ? ' is-dropping' : ''}`} {...files.dropProps}>
        <p>A new case opens for the contact, locked by you, and your message is sent from the number you choose.</p>
        {numbers.data && list.length === 0 && <p>This survey has no number to write from. An admin adds one under Numbers.</p>}
        <SelectField
          label="From number"
          options={list.map((n) => ({ value: n.id, label: `${n.ourNumber} (${channelLabel(n.channel)})` }))}
          value={number?.id ?? ''}
          disabled={busy}
          onChange={(e) => {
            setNumberId(e.target.value);
            setMode(null);
          }}
        />
        <InputField
          label="Contact"
          hint="Their phone number; a national number is read in the country of the number you write from."
          type="tel"
          inputMode="tel"
          required
          value={contact}
          disabled={busy}
          onChange={(e) => setContact(e.target.value)}
        />
        {number?.channel === 'whatsapp' && (
          <SegmentedChoice legend="Send" name="write-first-mode" options={MODES} value={mode} onChange={setMode} />
        )}
        {mode === 'text' ? (
          <>
            <TextAreaField
              label="Message"
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
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={busy || !ready} title={filesWait ?? undefined}>
            {busy ? 'Sending…' : 'Open case and send'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
