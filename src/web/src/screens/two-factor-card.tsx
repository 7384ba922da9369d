import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation('account');
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
      <h2 id={`${id}-title`}>{t('twoFactor.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      {step.name === 'codes' ? (
        <RecoveryCodes
          codes={step.recoveryCodes}
          onDone={() => {
            setStep({ name: 'idle' });
            setDone(t('twoFactor.turnedOn'));
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
            setDone(t('twoFactor.turnedOff'));
          }}
        />
      ) : (
        <>
          <p className="muted">{t('twoFactor.intro')}</p>
          <button type="button" className="button-primary" onClick={() => void begin()} disabled={busy}>
            {busy ? t('twoFactor.starting') : t('twoFactor.setUp')}
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
  const { t } = useTranslation(['account', 'common']);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const { busy, error, run } = useRequest();

  useEffect(() => {
    let live = true;
    // Drawn here in the browser: the secret never goes to a third party to make an image.
    // The QR library is fetched only now: most sessions never enrol.
    import('qrcode')
      .then(({ default: QRCode }) => QRCode.toDataURL(otpauthUrl, { margin: 1, width: 200 }))
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
      <p>{t('twoFactor.scan')}</p>
      {qr && <img className="two-factor-qr" src={qr} width={200} height={200} alt={t('twoFactor.qrAlt')} />}
      <CopyField label={t('twoFactor.secret')} value={secret} />
      <ErrorAlert error={error} />
      <InputField
        label={t('twoFactor.code')}
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]{6,7}"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? t('twoFactor.checking') : t('twoFactor.turnOn')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('common:actions.cancel')}
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation(['account', 'common']);
  const text = `${t('twoFactor.codesFileHeading')}\n\n${codes.join('\n')}\n`;
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
      <Notice tone="warning">{t('twoFactor.keepCodes')}</Notice>
      <ul className="recovery-codes" aria-label={t('twoFactor.recoveryCodes')}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <CopyField label={t('twoFactor.allRecoveryCodes')} value={codes.join(' ')} />
      <div className="form-actions">
        <button type="button" onClick={download}>
          {t('common:actions.download')}
        </button>
        <button type="button" className="button-primary" onClick={onDone}>
          {t('twoFactor.saved')}
        </button>
      </div>
    </div>
  );
}

function TurnOff({ onTurnedOff }: { onTurnedOff: () => void }) {
  const { t } = useTranslation('account');
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
      <p>{t('twoFactor.turnOffIntro')}</p>
      <ErrorAlert error={error} />
      <InputField
        label={t('twoFactor.turnOffCode')}
        autoComplete="one-time-code"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" className="button-danger-solid" disabled={busy}>
        {busy ? t('twoFactor.turningOff') : t('twoFactor.turnOff')}
      </button>
    </form>
  );
}

/** Ends every session of mine but this one (another browser, a lost laptop). */
export function OtherSessionsCard() {
  const { t } = useTranslation('account');
  const id = useId();
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useRequest();
  const end = () =>
    run(async () => {
      setDone(null);
      await twoFactorApi.endOtherSessions();
      setDone(t('sessions.ended'));
    });
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('sessions.title')}</h2>
      <ErrorAlert error={error} />
      <SuccessAlert message={done} />
      <p className="muted">{t('sessions.intro')}</p>
      <button type="button" onClick={() => void end()} disabled={busy}>
        {busy ? t('sessions.ending') : t('sessions.endOthers')}
      </button>
    </section>
  );
}
