/**
 * A deliberately tiny helm template renderer for the agent chart's tests (no helm binary
 * here). It knows exactly the constructs `lib/install/chart.ts` generates and fails on
 * anything else, so a template that grows a construct it cannot check fails the test
 * instead of being rendered wrongly:
 *
 *   {{ .Values.<key> | quote }}
 *   {{ required "<message>" .Values.<key> | quote }}
 *   {{ .Release.Namespace | quote }}
 *
 * `quote` is Go's %q; for the strings these charts carry it writes what JSON.stringify does.
 */
export interface HelmRenderInput {
  values: Record<string, unknown>;
  releaseNamespace: string;
}

const ACTION = /\{\{(.*?)\}\}/gs;
const VALUE = /^\s*\.Values\.([A-Za-z][A-Za-z0-9]*)\s*\|\s*quote\s*$/;
const REQUIRED = /^\s*required\s+"([^"\\]*)"\s+\.Values\.([A-Za-z][A-Za-z0-9]*)\s*\|\s*quote\s*$/;
const NAMESPACE = /^\s*\.Release\.Namespace\s*\|\s*quote\s*$/;

function quote(value: unknown): string {
  if (value === undefined || value === null) return '""';
  return JSON.stringify(String(value));
}

export function renderStrict(template: string, input: HelmRenderInput): string {
  return template.replace(ACTION, (whole, body: string) => {
    if (NAMESPACE.test(body)) return quote(input.releaseNamespace);
    const value = VALUE.exec(body);
    if (value?.[1]) {
      if (!(value[1] in input.values)) throw new Error(`template reads .Values.${value[1]}, which values.yaml does not declare`);
      return quote(input.values[value[1]]);
    }
    const required = REQUIRED.exec(body);
    if (required?.[2]) {
      const v = input.values[required[2]];
      if (v === undefined || v === null || v === '') throw new Error(`helm would fail: ${required[1]}`);
      return quote(v);
    }
    throw new Error(`the strict renderer does not know ${whole}`);
  });
}

/** Shell words of a command (single quotes, double quotes, backslash-newline continuations); enough for our generated commands. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\' && command[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote');
      current += command.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '\\') {
      current += command[++i] ?? '';
      inWord = true;
    } else if (c === ' ' || c === '\n' || c === '\t') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** What `helm --set key=value` assigns: splits on unescaped commas, unescapes `\,` and `\\`. */
export function helmSetValues(words: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== '--set' && words[i] !== '--set-string') continue;
    const assignment = words[++i] ?? '';
    const eq = assignment.indexOf('=');
    const key = assignment.slice(0, eq);
    let value = '';
    for (let j = eq + 1; j < assignment.length; j++) {
      const c = assignment[j];
      if (c === '\\') value += assignment[++j] ?? '';
      else if (c === ',') throw new Error(`--set ${key}: an unescaped comma would start another assignment`);
      else value += c;
    }
    values[key] = value;
  }
  return values;
}
