import type { CountRules, FakeCountRule, FakeRuleState } from './count-rules.js';

/** A fake cloud's model as its handle drives it: settings, boots failed by count, timers to stop. */
export interface BootFailingFake<Settings, Patch, BootFailure extends FakeCountRule> {
  settings: Settings;
  configure(patch: Patch): Settings;
  readonly bootFailures: CountRules<BootFailure>;
  /** Stops its timers (boots, deletions in progress). */
  stop(): void;
}

/** What a fake's HTTP side keeps beside the model: the model, faults by count, call counters, tokens, its URL. */
export interface CountedFakeState<Fake, Fault extends FakeCountRule> {
  fake: Fake;
  readonly faults: CountRules<Fault>;
  calls: Record<string, number>;
  callLog: string[];
  /** Tokens issued before this time are refused (`revokeTokens`). */
  tokensValidFrom: number;
  /** The server's own URL, once it listens. */
  url: string;
}

/**
 * What the handle of a fake with counters, faults and boot failures by count offers on its state
 * directly (no HTTP, not counted as API calls); its control API offers the same over HTTP.
 */
export interface CountedFakeMethods<Settings, Patch, Fault, BootFailure> {
  /** API calls per operation since the start or the last reset (`GET /_fake/calls`). */
  calls(): Record<string, number>;
  /** Zeroes the counters and returns what they were (`DELETE /_fake/calls`). */
  resetCalls(): Record<string, number>;
  /** What `calls()` counted, in order (`GET /_fake/calls/log`). */
  callLog(): string[];
  /** Changes settings from now on (`POST /_fake/settings`); returns them all. */
  configure(patch: Patch): Settings;
  settings(): Settings;
  /** Answers calls with an error, by count (`POST /_fake/faults`); returns the pending rules. */
  injectFault(fault: Fault): FakeRuleState<Fault>[];
  /** Makes machines fail to come up, by count (`POST /_fake/boot-failures`); returns the pending rules. */
  failBoots(failure: BootFailure): FakeRuleState<BootFailure>[];
  /** Drops every fault and boot failure rule (`DELETE /_fake/faults`). */
  clearFaults(): void;
  /** Back to the start: a fresh model, no counters, rules or tokens (`POST /_fake/reset`). */
  reset(): void;
  /** Refuses every access token issued so far, so clients must fetch new ones. */
  revokeTokens(): void;
}

/**
 * The methods of `CountedFakeMethods` on `state`. `make` builds a fresh model (at a reset);
 * `checkFault` and `checkBootFailure` check a rule (throwing the fake's usage error) before it is added.
 */
export function countedFakeMethods<Settings, Patch, Fault extends FakeCountRule, BootFailure extends FakeCountRule, Fake extends BootFailingFake<Settings, Patch, BootFailure>>(
  state: CountedFakeState<Fake, Fault>,
  rules: { make(): Fake; checkFault(fault: unknown): Fault; checkBootFailure(failure: unknown): BootFailure },
): CountedFakeMethods<Settings, Patch, Fault, BootFailure> {
  return {
    calls: () => ({ ...state.calls }),
    resetCalls: () => {
      const before = state.calls;
      state.calls = {};
      state.callLog = [];
      return before;
    },
    callLog: () => [...state.callLog],
    configure: (patch) => ({ ...state.fake.configure(patch) }),
    settings: () => ({ ...state.fake.settings }),
    injectFault: (fault) => {
      state.faults.add(rules.checkFault(fault));
      return state.faults.list();
    },
    failBoots: (failure) => {
      state.fake.bootFailures.add(rules.checkBootFailure(failure));
      return state.fake.bootFailures.list();
    },
    clearFaults: () => {
      state.faults.clear();
      state.fake.bootFailures.clear();
    },
    reset: () => {
      state.fake.stop();
      state.fake = rules.make();
      state.faults.clear();
      state.calls = {};
      state.callLog = [];
      state.tokensValidFrom = Date.now();
    },
    revokeTokens: () => {
      state.tokensValidFrom = Date.now() + 1;
    },
  };
}
