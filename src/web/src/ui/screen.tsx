import { useId, type ReactNode } from 'react';

/**
 * A screen: a section named by its h1, so assistive tech lists it as a region. `crumb`
 * links up to the screen it belongs to; `action` is its main link (Add, New), drawn as a
 * button beside the title; `beside` is anything else there (a subtitle, a picker).
 */
export function Screen({
  title,
  crumb,
  action,
  beside,
  className = 'page',
  level = 1,
  children,
}: {
  title: ReactNode;
  crumb?: { href: string; label: string };
  action?: { href: string; label: string };
  beside?: ReactNode;
  className?: string;
  /** 2 for a screen shown beside another one's h1 (the case list beside a case). */
  level?: 1 | 2;
  children: ReactNode;
}) {
  const titleId = useId();
  const heading = level === 1 ? <h1 id={titleId}>{title}</h1> : <h2 id={titleId}>{title}</h2>;
  return (
    <section className={className} aria-labelledby={titleId}>
      {crumb && (
        <p className="crumbs">
          <a href={crumb.href}>{crumb.label}</a>
        </p>
      )}
      {action === undefined && beside === undefined ? (
        heading
      ) : (
        <div className="page-head">
          {heading}
          {action && (
            <a className="button button-primary" href={action.href}>
              {action.label}
            </a>
          )}
          {beside}
        </div>
      )}
      {children}
    </section>
  );
}
