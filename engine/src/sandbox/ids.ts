import type { Prng } from "./prng.ts";

/**
 * Id minting. Instantly's lead, campaign and block-list ids are UUIDv7-shaped (time-ordered), and
 * `POST /leads/list` pages by ascending id, so the sandbox mints strictly increasing v7 ids from the
 * simulated clock: within one millisecond a 12-bit sequence in `rand_a` keeps them ordered.
 * Background-job ids are 24-hex ObjectIds, not UUIDs.
 */
export class IdMinter {
  private lastMs = 0;
  private seq = 0;

  constructor(
    private readonly prng: Prng,
    state?: { lastMs: number; seq: number },
  ) {
    if (state) {
      this.lastMs = state.lastMs;
      this.seq = state.seq;
    }
  }

  uuidv7(nowMs: number): string {
    let ms = Math.floor(nowMs);
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.seq++;
      if (this.seq > 0xfff) {
        ms++;
        this.seq = 0;
      }
    } else {
      this.seq = 0;
    }
    this.lastMs = ms;
    const time = ms.toString(16).padStart(12, "0");
    const randA = this.seq.toString(16).padStart(3, "0");
    const variant = (8 + this.prng.int(0, 3)).toString(16);
    const randB = this.prng.hex(15);
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randA}-${variant}${randB.slice(0, 3)}-${randB.slice(3)}`;
  }

  objectId(nowMs: number): string {
    return (
      Math.floor(nowMs / 1000)
        .toString(16)
        .padStart(8, "0") + this.prng.hex(16)
    );
  }

  state(): { lastMs: number; seq: number } {
    return { lastMs: this.lastMs, seq: this.seq };
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
