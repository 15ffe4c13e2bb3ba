import { QuestionCircleOutlined } from '@ant-design/icons';
import { Button, Popover } from 'antd';
import { useTranslation } from 'react-i18next';

export const SHORTCUTS = [
  { key: 'Space', label: 'shortcuts.playPause' }, // not while a control has focus (Space is its own)
  { key: 'N', label: 'shortcuts.nextHit' },
  { key: 'C', label: 'shortcuts.confirmHit' },
  { key: 'O', label: 'shortcuts.overturnHit' },
] as const;

/** The keyboard shortcuts, one click (or Enter) away. */
export function ShortcutHelp() {
  const { t } = useTranslation();
  return (
    <Popover
      trigger="click"
      title={t('shortcuts.title')}
      content={
        <div data-testid="shortcut-help">
          <dl className="shortcuts">
            {SHORTCUTS.map((shortcut) => (
              <div key={shortcut.key}>
                <dt>
                  <kbd>{shortcut.key}</kbd>
                </dt>
                <dd>{t(shortcut.label)}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">{t('shortcuts.note')}</p>
        </div>
      }
    >
      <Button icon={<QuestionCircleOutlined />} aria-label={t('shortcuts.open')}>
        {t('shortcuts.open')}
      </Button>
    </Popover>
  );
}

/** True when a key press is meant for a field, not for the page (shortcuts then stay quiet). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(type);
  }
  // antd's Select and similar widgets put focus on an element with role=combobox.
  return target.getAttribute('role') === 'combobox';
}

/**
 * True when Space on this element belongs to it (a button, link, switch or
 * checkbox activates with Space): the play/pause shortcut then stays quiet, so
 * every control still works from the keyboard.
 */
export function ownsSpace(target: EventTarget | null): boolean {
  if (isTyping(target)) return true;
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.closest(
      'button, a[href], input, select, textarea, summary, [role=button], [role=switch], [role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=option], [role=link]',
    ) !== null
  );
}
