import type { ConfigPlan } from './config-plan.js';
import type { EntryChange, SettingChange } from './config-diff.js';
import type { NodeEffect, NodeEffectKind } from './node-effect.js';

const MARK = { add: '+', remove: '-', change: '~' } as const;

/** How a setting's value reads in a plan: `unset`, `10`, `Europe/Berlin`, `[a, b]`. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function settingLine(change: SettingChange): string {
  return `${change.key}: ${formatValue(change.old)} → ${formatValue(change.new)}`;
}

function entryLines(entry: EntryChange, indent: string): string[] {
  const lines = [`${indent}${MARK[entry.action]} ${entry.kind} ${entry.name}`];
  const inner = `${indent}    `;
  for (const setting of entry.settings) lines.push(`${inner}${settingLine(setting)}`);
  for (const child of entry.entries) lines.push(...entryLines(child, inner));
  return lines;
}

const VERB: Readonly<Record<NodeEffectKind, { mark: string; verb: string }>> = {
  launch: { mark: '+', verb: 'will be launched' },
  register: { mark: '+', verb: 'will be registered' },
  delete: { mark: '-', verb: 'will be deleted' },
  deregister: { mark: '-', verb: 'will be deregistered' },
  keep: { mark: '=', verb: 'will be kept' },
  'in-use': { mark: '=', verb: 'will be left alone' },
  stranded: { mark: '!', verb: 'will be left behind' },
};

/** Node IDs for a line: the first ten, then how many more. */
function nodeList(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, 10).join(', ');
  return ` (${shown}${ids.length > 10 ? `, and ${ids.length - 10} more` : ''})`;
}

function effectLine(effect: NodeEffect): string {
  const { mark, verb } = VERB[effect.kind];
  const where = [
    effect.label ? `of label ${effect.label}` : '',
    effect.provider ? `in ${effect.provider}${effect.pool ? `/${effect.pool}` : ''}` : '',
  ].filter(Boolean);
  const subject = `${effect.count} ${effect.kind === 'launch' ? 'min-ready ' : ''}${effect.count === 1 ? 'node' : 'nodes'}`;
  return `  ${mark} ${[subject, ...where].join(' ')}${nodeList(effect.nodes)} ${verb}: ${effect.reason}`;
}

/** A plan as `nodepool config-plan` prints it, line by line. */
export function formatPlan(plan: ConfigPlan): string[] {
  const lines: string[] = [];
  if (plan.loadable) {
    const { settings, entries } = plan.diff;
    if (settings.length + entries.length > 0) {
      lines.push(`Configuration changes (${plan.currentFile} → ${plan.newFile}):`);
      for (const entry of entries) lines.push(...entryLines(entry, '  '));
      for (const setting of settings) lines.push(`  ~ ${settingLine(setting)}`);
    }
    if (plan.nodes.length > 0) {
      if (lines.length > 0) lines.push('');
      lines.push('Nodes:');
      for (const effect of plan.nodes) lines.push(effectLine(effect));
    }
  }
  if (plan.problems.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(`Problems of ${plan.newFile}:`);
    for (const problem of plan.problems) {
      const note = problem.level === 'load-error' ? ' (the launcher and builder will refuse to load this)' : problem.level === 'warning' ? ' (warning)' : '';
      lines.push(`  ${problem.message}${note}`);
    }
  }
  if (lines.length > 0) lines.push('');
  lines.push(summary(plan));
  return lines;
}

function summary(plan: ConfigPlan): string {
  if (!plan.loadable) return `A reload would keep the configuration in force: ${plan.newFile} is not valid.`;
  const configChanges = plan.diff.settings.length + plan.diff.entries.length;
  const counts = `${configChanges} configuration ${configChanges === 1 ? 'change' : 'changes'}, ${plan.nodes.length} node ${plan.nodes.length === 1 ? 'change' : 'changes'}`;
  const verdict = plan.valid ? '' : ` (but ${plan.newFile} is not valid: config-validate rejects it)`;
  return plan.changes ? `Plan: ${counts}${verdict}.` : `No changes: a reload would change nothing${verdict}.`;
}
