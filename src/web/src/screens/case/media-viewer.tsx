import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../media-kinds.js';
import { Dialog } from '../../ui/components.js';
import type { ShownImage } from './media-item.js';

interface MediaViewerProps {
  /** Every image of the conversation, oldest first, so the arrow keys go through them in order. */
  images: readonly ShownImage[];
  /** The image shown, or null when the viewer is closed. */
  openId: string | null;
  onShow: (id: string) => void;
  onClose: () => void;
}

/**
 * An image at full size (DESIGN.md §6 "click to enlarge"): Escape closes it and focus goes
 * back to the thumbnail that opened it (the native dialog does both); the arrow keys and
 * Previous/Next go through the conversation's other images.
 */
export function MediaViewer({ images, openId, onShow, onClose }: MediaViewerProps) {
  const { t } = useTranslation(['case', 'common']);
  const index = openId === null ? -1 : images.findIndex((image) => image.item.id === openId);
  const shown = index >= 0 ? images[index]! : null;
  const previous = index > 0 ? images[index - 1]! : null;
  const next = index >= 0 && index < images.length - 1 ? images[index + 1]! : null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    // Right to left, "next" lies to the left.
    const rtl = getComputedStyle(event.currentTarget).direction === 'rtl';
    const forward = event.key === (rtl ? 'ArrowLeft' : 'ArrowRight');
    const back = event.key === (rtl ? 'ArrowRight' : 'ArrowLeft');
    const target = forward ? next : back ? previous : null;
    if (!target) return;
    event.preventDefault();
    onShow(target.item.id);
  };

  return (
    <Dialog title={shown?.alt ?? t('viewer.photo')} open={shown !== null} onClose={onClose} className="media-viewer">
      {shown && (
        <div className="viewer" onKeyDown={onKeyDown}>
          <img className="viewer-image" src={shown.item.url} alt={shown.alt} />
          <p className="viewer-facts" aria-live="polite">
            {images.length > 1 && t('viewer.position', { position: index + 1, total: images.length })}
            {images.length > 1 && shown.item.size !== null && ' · '}
            {shown.item.size !== null && formatBytes(shown.item.size)}
          </p>
          <div className="dialog-actions viewer-actions">
            {images.length > 1 && (
              <>
                {/* aria-disabled, not disabled: a button that disables itself under focus would drop focus out of the dialog. */}
                <button type="button" aria-disabled={!previous} onClick={() => previous && onShow(previous.item.id)}>
                  {t('viewer.previous')}
                </button>
                <button type="button" aria-disabled={!next} onClick={() => next && onShow(next.item.id)}>
                  {t('viewer.next')}
                </button>
              </>
            )}
            <a className="button" href={shown.item.url} download={shown.item.name ?? ''}>
              {t('common:actions.download')}
            </a>
            <button type="button" className="button-primary" onClick={onClose}>
              {t('common:actions.close')}
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
