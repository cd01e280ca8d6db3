export { countChanges, diffMappings, isEmptyDiff, type ConfigDiff, type EntryChange, type SettingChange } from './config-diff.js';
export { planConfigChange, type ConfigPlan, type PlanConfigOptions, type PlanProblem } from './config-plan.js';
export { formatPlan, formatValue } from './format-plan.js';
export type { NodeEffect, NodeEffectKind } from './node-effect.js';
export { planNodeEffects, type NodeEffectsInput, type RegisteredNodesPlanner } from './node-effects.js';
