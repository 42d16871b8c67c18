'use client';

/**
 * Hooks for list views whose filters, sort and page live in the address (so Back steps
 * through them): a search box that follows the address, and a page number corrected to
 * the page the server served.
 */
import { useEffect, useState } from 'react';

export const SEARCH_DEBOUNCE_MS = 250;

/**
 * The text of a search box bound to the address's `search`. Typing replaces the history
 * entry after a pause (not one entry per keystroke); Back or Forward to an entry with
 * another search puts that search in the box.
 */
export function useSearchBox(search: string, replaceSearch: (search: string) => void): [string, (text: string) => void] {
  const [text, setText] = useState(search);
  const [shownSearch, setShownSearch] = useState(search);
  if (shownSearch !== search) {
    setShownSearch(search);
    setText(search);
  }
  useEffect(() => {
    if (text.trim() === search) return;
    const timer = setTimeout(() => replaceSearch(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `replaceSearch` closes over the query rebuilt every render; re-running on its identity would loop.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, search]);
  return [text, setText];
}

/**
 * A page number past the end (an old link, a list that shrank): the server answered with
 * its last page, and the address is corrected to match without a new history entry.
 * `settled` is false while placeholder data from the previous query is shown.
 */
export function usePageCorrection(servedPage: number | undefined, requestedPage: number, settled: boolean, replacePage: (page: number) => void): void {
  useEffect(() => {
    if (servedPage !== undefined && settled && servedPage !== requestedPage) replacePage(servedPage);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [servedPage, requestedPage, settled]);
}
