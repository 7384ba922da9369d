import { useId, useState, type SyntheticEvent, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.js';
import type { CaseRecord, Message, MessageTemplate } from '../../api/types.js';
import { countSmsSegments, firstNonGsm7 } from '../../sms-segments.js';
import { ErrorAlert } from '../../ui/components.js';
import { SelectField, TextAreaField } from '../../ui/fields.js';
import { useRequest } from '../../ui/use-request.js';
import { AttachButton, AttachmentChips, attachmentsBlockSend, useAttachments, useFileDrop } from './attachments.js';
import { useSavedReplyPicker } from './saved-reply-picker.js';
import { useTemplateSend } from './template-picker.js';

interface ReplyBoxProps {
  record: CaseRecord;
  /** Why the user cannot send right now, or null when they can. */
  blockedBecause: string | null;
  /** The text box, so the case screen can put focus back in it after an action. */
  inputRef: RefObject<HTMLTextAreaElement | null>;
  /** An action that lifts the block, such as "Reopen and reply" on a closed case. */
  unblock: { label: string; disabled: boolean; onClick: () => void } | null;
  onSent: (message: Message) => void;
  /** The number's template library: a template reply chooses one and fills its parameters. */
  templates?: readonly MessageTemplate[];
}

/** "Send notification" with the target Message Conversation (DESIGN.md §2 rule 8). */
export function ReplyBox({ record, blockedBecause, inputRef, unblock, onSent, templates = [] }: ReplyBoxProps) {
  const { t } = useTranslation(['case', 'common']);
  const [text, setText] = useState('');
  const [template, setTemplate] = useState(false);
  const { busy, error, setError, run } = useRequest();
  const counterId = useId();
  const isWhatsApp = record.channel === 'whatsapp';
  const windowClosed = record.windowOpen === false;
  const useTemplate = isWhatsApp && (template || windowClosed);
  // The box stays enabled while a reply is sending, so focus stays in it and the worker can
  // go on typing the next one (issue 11); only a block disables it.
  const disabled = blockedBecause !== null;
  // `/` searches the saved replies (DESIGN.md §7).
  const picker = useSavedReplyPicker({ record, text, setText, inputRef, disabled });
  const templateSend = useTemplateSend(templates, { disabled: disabled || busy });
  // A chosen template with a body sends its filled parameters; the typed text is not sent then.
  const typedTextSent = !useTemplate || templateSend.usesTypedText;
  // Files go with free text (DESIGN.md §6); a template is sent as the number's library has it.
  const attachments = useAttachments({ disabled: disabled || useTemplate });
  const files = useFileDrop(attachments);
  const filesWait = useTemplate ? null : attachmentsBlockSend(attachments);
  const mediaIds = useTemplate ? [] : attachments.ids;
  const hasContent = !typedTextSent || text.trim().length > 0 || mediaIds.length > 0;
  const canSend = !disabled && !busy && hasContent && filesWait === null && (!useTemplate || templateSend.payload !== null);

  const submit = async (event?: SyntheticEvent<HTMLFormElement>) => {
    event?.preventDefault();
    if (!canSend) return;
    const sent = typedTextSent ? text : '';
    const chosenTemplate = useTemplate ? templateSend.payload : null;
    const media = mediaIds;
    const sentFiles = attachments.items.filter((item) => item.upload && media.includes(item.upload.id)).map((item) => item.key);
    if (typedTextSent) setText('');
    inputRef.current?.focus();
    await run(async () => {
      let message: Message;
      try {
        message = await api<Message>('POST', `/records/${record.caseNumber}/notifications`, {
          target: 'conversation',
          text: sent,
          ...(chosenTemplate ? { template: chosenTemplate } : {}),
          ...(media.length > 0 ? { media } : {}),
        });
      } catch (e) {
        // Nothing went out: the text comes back, before whatever was typed since.
        if (sent) setText((typed) => (typed.trim() ? `${sent}\n${typed}` : sent));
        throw e;
      }
      if (chosenTemplate) templateSend.reset();
      // Files chosen while this one was sending stay for the next.
      for (const key of sentFiles) attachments.remove(key);
      onSent(message);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (picker.onKeyDown(event)) return;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <form
      className={`reply${files.dragging ? ' reply-dropping' : ''}`}
      onSubmit={(event) => void submit(event)}
      aria-label={t('reply.form')}
      {...files.dropProps}
    >
      <div className="reply-head">
        <SelectField
          label={t('reply.target')}
          fieldClassName="field-inline"
          // Where a notification goes; the API knows one target today, the case's conversation.
          options={[{ value: 'conversation', label: t('reply.targetConversation') }]}
          value="conversation"
          disabled={disabled || busy}
          onChange={() => undefined}
        />
        {isWhatsApp && (
          <label className="check">
            <input
              type="checkbox"
              checked={useTemplate}
              disabled={disabled || busy || windowClosed}
              onChange={(e) => setTemplate(e.target.checked)}
            />
            {t('reply.useTemplate')}
          </label>
        )}
      </div>
      {useTemplate && templateSend.controls}
      <ErrorAlert error={error} onDismiss={() => setError(null)} />
      <TextAreaField
        ref={inputRef}
        label={record.contact === null ? t('reply.messageToUnknown') : t('reply.messageTo', { contact: record.contact })}
        rows={3}
        dir="auto"
        value={text}
        disabled={disabled}
        aria-describedby={counterId}
        placeholder={blockedBecause ?? t('reply.placeholder')}
        {...picker.inputProps}
        onChange={(e) => {
          setText(e.target.value);
          picker.onCaret(e);
        }}
        onSelect={picker.onCaret}
        onKeyDown={onKeyDown}
        onPaste={files.onPaste}
      />
      {picker.popup}
      {!useTemplate && (
        <div className="reply-files">
          <AttachButton attachments={attachments} />
          <AttachmentChips attachments={attachments} />
        </div>
      )}
      {files.dragging && (
        <p className="drop-hint" aria-hidden="true">
          {t('reply.dropHint')}
        </p>
      )}
      <div className="reply-foot">
        <SegmentCounter id={counterId} text={text} caseNumber={record.caseNumber} whatsApp={isWhatsApp} />
        {unblock && (
          <button type="button" className="button-primary" disabled={unblock.disabled} onClick={unblock.onClick}>
            {unblock.label}
          </button>
        )}
        <button type="submit" className={unblock ? undefined : 'button-primary'} disabled={!canSend} title={filesWait ?? undefined}>
          {busy ? t('reply.sending') : t('common:actions.send')}
        </button>
      </div>
    </form>
  );
}

function SegmentCounter({ id, text, caseNumber, whatsApp }: { id: string; text: string; caseNumber: number; whatsApp: boolean }) {
  const { t } = useTranslation('case');
  const suffix = ` #${caseNumber}`;
  const typed = countSmsSegments(text);
  const sent = countSmsSegments(text ? text + suffix : '');
  const culprit = firstNonGsm7(text);
  return (
    <p id={id} className="counter" aria-live="polite">
      <span>{t('reply.characters', { count: typed.characters })}</span>
      {whatsApp ? (
        <span>
          {' · '}
          {t('reply.whatsAppSuffix', { suffix: suffix.trim() })}
        </span>
      ) : (
        <>
          <span>
            {' · '}
            {t('reply.smsSegments', { count: sent.segments, encoding: sent.encoding })}
          </span>
          <span className="muted">
            {' · '}
            {t('reply.smsSuffix', { suffix: suffix.trim() })}
          </span>
          {culprit && (
            <span className="counter-warning">
              {' · '}
              {t('reply.notGsm7', { character: culprit, limit: sent.segments > 1 ? 67 : 70 })}
            </span>
          )}
        </>
      )}
    </p>
  );
}
