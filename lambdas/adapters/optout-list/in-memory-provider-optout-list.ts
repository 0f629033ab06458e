/**
 * A provider opt-out list held in memory: the local stand-in for End User Messaging and SNS, with their rule that
 * a number can be removed only once every 30 days. Tests and the local server seed it with carrier opt-outs.
 */
import type { ProviderOptedOutNumber, ProviderOptOutList, ProviderRemoval } from '../../domain/consent';

const REMOVAL_INTERVAL_MS = 30 * 86_400_000;

export class InMemoryProviderOptOutList implements ProviderOptOutList {
  private readonly numbers = new Map<string, ProviderOptedOutNumber['provider']>();
  private readonly lastRemoval = new Map<string, number>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** A number opted out at the provider or carrier, outside optline (a STOP to the carrier, say). */
  seed(e164: string, provider: ProviderOptedOutNumber['provider'] = 'end-user-messaging'): void {
    this.numbers.set(e164, provider);
  }

  has(e164: string): boolean {
    return this.numbers.has(e164);
  }

  async add(e164: string): Promise<void> {
    this.numbers.set(e164, 'end-user-messaging');
  }

  async remove(e164: string): Promise<ProviderRemoval> {
    if (!this.numbers.has(e164)) return { removed: true };
    const now = this.clock().getTime();
    const last = this.lastRemoval.get(e164);
    if (last !== undefined && now - last < REMOVAL_INTERVAL_MS)
      return { removed: false, refusal: 'end-user-messaging:ValidationException' };
    this.numbers.delete(e164);
    this.lastRemoval.set(e164, now);
    return { removed: true };
  }

  async *optedOut(): AsyncIterable<ProviderOptedOutNumber> {
    for (const [e164, provider] of [...this.numbers]) yield { e164, provider };
  }
}
