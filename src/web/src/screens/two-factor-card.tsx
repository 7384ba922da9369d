import QRCode from 'qrcode';
import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { twoFactorApi } from '../api/two-factor.js';
import { CopyField, ErrorAlert, Notice, SuccessAlert } from '../ui/components.js';
import { InputField } from '../ui/fields.js';
import { useRequest } from '../ui/use-request.js';

type Step = { name: 'idle' } | { name: 'scan'; secret: string; otpauthUrl: string } | { name: 'codes'; recoveryCodes: string[] };

/**
 * Two-factor sign-in on my account: set up (QR code, the secret as text, a code to
 * confirm), the ten recovery codes shown once, and turning it off with a code.
 * `onEnabled` runs once the user has seen the recovery codes and moves on.
 */
export function TwoFactorCard({ enabled: initiallyEnabled, onEnabled }: { enabled: boolean; onEnabled?: () => void }) {
  const id = useId();
  const [enabled, setEnabled] = useState(initiallyEnabled);
  const [step, setStep] = useState<Step>({ name: 'idle' });
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useRequest();

  const begin = () =>
    run(async () => {
      setDone(null);
      const started = await twoFactorApi.begin();
      setStep({ name: 'scan', ...started });
    });

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Two-factor sign-in</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      {step.name === 'codes' ? (
        <RecoveryCodes
          codes={step.recoveryCodes}
          onDone={() => {
            setStep({ name: 'idle' });
            setDone('Two-factor sign-in is on.');
            onEnabled?.();
          }}
        />
      ) : step.name === 'scan' ? (
        <ScanAndConfirm
          secret={step.secret}
          otpauthUrl={step.otpauthUrl}
          onConfirmed={(recoveryCodes) => {
            setEnabled(true);
            setStep({ name: 'codes', recoveryCodes });
          }}
          onCancel={() => setStep({ name: 'idle' })}
        />
      ) : enabled ? (
        <TurnOff
          onTurnedOff={() => {
            setEnabled(false);
            setDone('Two-factor sign-in is off. Your password alone signs you in.');
          }}
        />
      ) : (
        <>
          <p className="muted">
            Sign in with a code from an authenticator app as well as your password, so a stolen password alone is not enough.
          </p>
          <button type="button" className="button-primary" onClick={() => void begin()} disabled={busy}>
            {busy ? 'Starting…' : 'Set up two-factor sign-in'}
          </button>
        </>
      )}
    </section>
  );
}

function ScanAndConfirm({
  secret,
  otpauthUrl,
  onConfirmed,
  onCancel,
}: {
  secret: string;
  otpauthUrl: string;
  onConfirmed: (recoveryCodes: string[]) => void;
  onCancel: () => void;
}) {
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, run } = useRequest();

  useEffect(() => {
    let live = true;
    // Drawn here in the browser: the secret never goes to a third party to make an image.
    QRCode.toDataURL(otpauthUrl, { margin: 1, width: 200 })
      .then((url) => live && setQr(url))
      .catch(() => live && setQr(null));
    return () => {
      live = false;
    };
  }, [otpauthUrl]);

  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    await run(async () => onConfirmed((await twoFactorApi.confirm(code.trim())).recoveryCodes));
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <p>Scan this code with your authenticator app, or type the secret into it. Then enter the six-digit code it shows.</p>
      {qr && <img className="two-factor-qr" src={qr} width={200} height={200} alt="QR code of the two-factor secret" />}
      <CopyField label="Secret" value={secret} />
      <ErrorAlert error={error} />
      <InputField
        label="Code from the app"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]{6,7}"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Turn on'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = `Caseline recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'caseline-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div>
      <Notice tone="warning">
        Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only now.
      </Notice>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <CopyField label="All recovery codes" value={codes.join(' ')} />
      <div className="form-actions">
        <button type="button" onClick={download}>
          Download
        </button>
        <button type="button" className="button-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

function TurnOff({ onTurnedOff }: { onTurnedOff: () => void }) {
  const [code, setCode] = useState('');
  const { busy, error, run } = useRequest();
  const submit = async (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    await run(async () => {
      await twoFactorApi.disable(code.trim());
      setCode('');
      onTurnedOff();
    });
  };
  return (
    <form onSubmit={(event) => void submit(event)}>
      <p>Two-factor sign-in is on. To turn it off, enter a code from your app or a recovery code.</p>
      <ErrorAlert error={error} />
      <InputField label="Code to turn off" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
      <button type="submit" className="button-danger-solid" disabled={busy}>
        {busy ? 'Turning off…' : 'Turn off two-factor sign-in'}
      </button>
    </form>
  );
}

/** Ends every session of mine but this one (another browser, a lost laptop). */
export function OtherSessionsCard() {
  const id = useId();
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useRequest();
  const end = () =>
    run(async () => {
      setDone(null);
      await twoFactorApi.endOtherSessions();
      setDone('Your other sessions have ended. This one goes on.');
    });
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sessions</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <p className="muted">Signed in somewhere you no longer use? End every session but this one. API tokens are not affected.</p>
      <button type="button" onClick={() => void end()} disabled={busy}>
        {busy ? 'Ending…' : 'End all my other sessions'}
      </button>
    </section>
  );
}
