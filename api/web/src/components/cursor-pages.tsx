import { Button, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A keyset-paged list as the API gives it: a page of items and the cursor of the next one. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The rows of a keyset-paged list loaded so far: `load(null)` starts again,
 * `load(cursor)` appends the next page. `fetchPage` should be stable (a
 * useCallback): a new one is a new list.
 */
export function useCursorPages<T, P extends CursorPage<T>>(fetchPage: (cursor: string | null) => Promise<P>) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    async (after: string | null): Promise<void> => {
      setLoading(true);
      setError(null);
      try {
        const page = await fetchPage(after);
        setItems((previous) => (after ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (failure) {
        setError(failure);
      } finally {
        setLoading(false);
      }
    },
    [fetchPage],
  );
  return { items, cursor, loading, error, load };
}

/** "N shown" and the button that loads the next page, or "no more". */
export function LoadMore(props: {
  count: number;
  cursor: string | null;
  loading: boolean;
  onMore: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="load-more">
      <Typography.Text type="secondary">{t('queue.count', { count: props.count })}</Typography.Text>{' '}
      {props.cursor ? (
        <Button onClick={props.onMore} loading={props.loading}>
          {t('queue.loadMore')}
        </Button>
      ) : (
        props.count > 0 && <Typography.Text type="secondary">{t('queue.noMore')}</Typography.Text>
      )}
    </div>
  );
}
