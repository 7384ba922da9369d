import { useState, type SyntheticEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { teamApi } from '../api/team.js';
import { sameId, type CaseRecord, type Colleague } from '../api/types.js';
import { Dialog, ErrorAlert, Loading } from '../ui/components.js';
import { SelectField } from '../ui/fields.js';
import { useLoad } from '../ui/use-load.js';
import { useRequest } from '../ui/use-request.js';

/** The case's "Assign to…" button and its dialog. */
export function AssignButton({
  record,
  disabled,
  onAssigned,
}: {
  record: CaseRecord;
  disabled: boolean;
  onAssigned: (record: CaseRecord) => void;
}) {
  const { t } = useTranslation('cases');
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => setOpen(true)}>
        {t('assign.button')}
      </button>
      <AssignDialog
        record={record}
        open={open}
        onClose={() => setOpen(false)}
        onAssigned={(assigned) => {
          setOpen(false);
          onAssigned(assigned);
        }}
      />
    </>
  );
}

/**
 * "Assign to…" (DESIGN.md §7, assignment is the lock): gives the case to an active analyst or
 * admin of the organisation. An admin may assign any case; the holder may hand theirs over.
 */
export function AssignDialog({
  record,
  open,
  onClose,
  onAssigned,
}: {
  record: CaseRecord;
  open: boolean;
  onClose: () => void;
  onAssigned: (record: CaseRecord) => void;
}) {
  const { t } = useTranslation('cases');
  return (
    <Dialog title={t('assign.title', { caseNumber: String(record.caseNumber) })} open={open} onClose={onClose}>
      {open && <AssignForm record={record} onClose={onClose} onAssigned={onAssigned} />}
    </Dialog>
  );
}

const ROLE_KEYS = { admin: 'common:roles.admin', analyst: 'common:roles.analyst', viewer: 'common:roles.viewer' } as const;

function colleagueLabel(t: TFunction<['cases', 'common']>, colleague: Colleague): string {
  const values = { name: colleague.name, role: t(ROLE_KEYS[colleague.role]) };
  return colleague.available ? t('assign.colleagueAvailable', values) : t('assign.colleague', values);
}

function AssignForm({
  record,
  onClose,
  onAssigned,
}: {
  record: CaseRecord;
  onClose: () => void;
  onAssigned: (record: CaseRecord) => void;
}) {
  const { t } = useTranslation(['cases', 'common']);
  const colleagues = useLoad(() => teamApi.colleagues(), []);
  const [userId, setUserId] = useState('');
  const { busy, error, setError, run } = useRequest();
  const holder = record.lockedBy;
  const choices = (colleagues.data?.items ?? []).filter((c) => !sameId(c.id, holder?.id));

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!userId) {
      setError(t('assign.chooseFirst'));
      return;
    }
    await run(async () => {
      onAssigned(await teamApi.assign(record.caseNumber, userId));
    });
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <p>{holder ? t('assign.heldBy', { name: holder.name }) : t('assign.heldByNobody')}</p>
      <ErrorAlert error={error ?? colleagues.error} />
      {colleagues.data === undefined && !colleagues.error ? (
        <Loading label={t('assign.loading')} />
      ) : choices.length === 0 ? (
        <p className="empty">{t('assign.nobodyElse')}</p>
      ) : (
        <SelectField
          label={t('assign.colleagueLabel')}
          placeholder={t('assign.colleaguePlaceholder')}
          options={choices.map((c) => ({ value: String(c.id), label: colleagueLabel(t, c) }))}
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
        />
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          {t('common:actions.cancel')}
        </button>
        <button type="submit" className="button-primary" disabled={busy || choices.length === 0}>
          {busy ? t('assign.assigning') : t('assign.submit')}
        </button>
      </div>
    </form>
  );
}
