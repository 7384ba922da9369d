import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Tab {
  id: string;
  label: string;
  panel: ReactNode;
}

/** Tabs with the WAI-ARIA pattern: arrow keys move between tabs, Tab goes into the panel. */
export function SideTabs({ tabs }: { tabs: Tab[] }) {
  const { t, i18n } = useTranslation('caseDetails');
  const [selected, setSelected] = useState(tabs[0]?.id ?? '');
  const baseId = useId();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    // Right to left, the next tab is on the left.
    const forward = i18n.dir() === 'rtl' ? -1 : 1;
    const moves: Record<string, number> = { ArrowRight: forward, ArrowLeft: -forward, Home: -index, End: tabs.length - 1 - index };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = tabs[(index + move + tabs.length) % tabs.length];
    if (!next) return;
    setSelected(next.id);
    refs.current[next.id]?.focus();
  };

  return (
    <div className="tabs">
      <div role="tablist" aria-label={t('sideTabs.label')} className="tablist">
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            ref={(el) => {
              refs.current[tab.id] = el;
            }}
            type="button"
            role="tab"
            id={`${baseId}-tab-${tab.id}`}
            aria-selected={selected === tab.id}
            aria-controls={`${baseId}-panel-${tab.id}`}
            tabIndex={selected === tab.id ? 0 : -1}
            onClick={() => setSelected(tab.id)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs
        .filter((tab) => tab.id === selected)
        .map((tab) => (
          <div
            key={tab.id}
            role="tabpanel"
            id={`${baseId}-panel-${tab.id}`}
            aria-labelledby={`${baseId}-tab-${tab.id}`}
            className="tabpanel"
            tabIndex={0}
          >
            {tab.panel}
          </div>
        ))}
    </div>
  );
}
