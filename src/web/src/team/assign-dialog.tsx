import { useState, type SyntheticEvent } from 'react';
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
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" disabled={disabled} onClick={() => setOpen(true)}>
        Assign to…
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
  return (
    <Dialog title={`Assign case #${record.caseNumber}`} open={open} onClose={onClose}>
      {open && <AssignForm record={record} onClose={onClose} onAssigned={onAssigned} />}
    </Dialog>
  );
}

function colleagueLabel(colleague: Colleague): string {
  return `${colleague.name} (${colleague.role}${colleague.available ? ', available' : ''})`;
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
  const colleagues = useLoad(() => teamApi.colleagues(), []);
  const [userId, setUserId] = useState('');
  const { busy, error, setError, run } = useRequest();
  const holder = record.lockedBy;
  const choices = (colleagues.data?.items ?? []).filter((c) => !sameId(c.id, holder?.id));

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!userId) {
      setError('Choose the colleague to give the case to.');
      return;
    }
    await run(async () => {
      onAssigned(await teamApi.assign(record.caseNumber, userId));
    });
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <p>
        {holder ? `${holder.name} holds this case now.` : 'Nobody holds this case now.'} The person you choose holds its lock and can reply.
      </p>
      <ErrorAlert error={error ?? colleagues.error} />
      {colleagues.data === undefined && !colleagues.error ? (
        <Loading label="Loading colleagues…" />
      ) : choices.length === 0 ? (
        <p className="empty">There is nobody else to give it to.</p>
      ) : (
        <SelectField
          label="Colleague"
          placeholder="Choose a colleague"
          options={choices.map((c) => ({ value: String(c.id), label: colleagueLabel(c) }))}
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
        />
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button-primary" disabled={busy || choices.length === 0}>
          {busy ? 'Assigning…' : 'Assign'}
        </button>
      </div>
    </form>
  );
}
