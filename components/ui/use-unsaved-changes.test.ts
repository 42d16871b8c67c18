import { describe, expect, it } from 'vitest';
import { isInAppNavigation } from '@/components/ui/use-unsaved-changes';

const here = { origin: 'https://fleet.example.com', pathname: '/clusters/new', search: '' };
const plainClick = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };
const link = (href: string, target = '', download = false) => ({ href, target, hasAttribute: (name: string) => name === 'download' && download });

describe('isInAppNavigation', () => {
  it('guards a plain click on a link to another page of the app', () => {
    expect(isInAppNavigation(link('https://fleet.example.com/clusters'), plainClick, here)).toBe(true);
    expect(isInAppNavigation(link('/environments'), plainClick, here)).toBe(true);
    expect(isInAppNavigation(link('/clusters/new?step=2'), plainClick, here)).toBe(true);
  });

  it('lets through what keeps this page: a new tab, a download, an anchor on the page, another site', () => {
    expect(isInAppNavigation(link('/clusters'), { ...plainClick, metaKey: true }, here)).toBe(false);
    expect(isInAppNavigation(link('/clusters'), { ...plainClick, button: 1 }, here)).toBe(false);
    expect(isInAppNavigation(link('/clusters', '_blank'), plainClick, here)).toBe(false);
    expect(isInAppNavigation(link('/chart.tgz', '', true), plainClick, here)).toBe(false);
    expect(isInAppNavigation(link('/clusters/new#addons'), plainClick, here)).toBe(false);
    expect(isInAppNavigation(link('https://kubernetes.io/docs'), plainClick, here)).toBe(false);
    expect(isInAppNavigation(link('/clusters'), { ...plainClick, defaultPrevented: true }, here)).toBe(false);
  });
});
