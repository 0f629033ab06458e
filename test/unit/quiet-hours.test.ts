import { getTimezonesForCountry } from 'countries-and-timezones';
import fc from 'fast-check';
import examples from 'libphonenumber-js/examples.mobile.json';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import {
  enforceQuietHours,
  nextCommonWindowStart,
  quietHoursCheck,
  quietHoursCheckForZones,
  QuietHoursError,
  type QuietHoursResult,
  recipientTimeZones,
  widestCommonSubset,
  zonesForCountry,
} from '../../lambdas/domain/quiet-hours';
import { MESSAGE_CATEGORIES } from '../../lambdas/domain/sms';
import { ProblemError, toProblemResponse } from '../../lambdas/shared/problem';

const FRENCH = '+33612345678';
const US = '+12015550123';
const CANADIAN = '+16135550123';
const AUSTRALIAN = '+61412345678';
const BRAZILIAN = '+5511987654321';
const RUSSIAN = '+79123456789';
const NON_GEOGRAPHIC = '+80012345678';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// The oracle: the zone's wall-clock minute of the day, computed independently of the module under test.
const oracleFormatters = new Map<string, Intl.DateTimeFormat>();
function localMinute(zone: string, instant: Date | number): number {
  let formatter = oracleFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    oracleFormatters.set(zone, formatter);
  }
  const parts = formatter.formatToParts(instant);
  const hour = Number(parts.find((part) => part.type === 'hour')?.value);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value);
  return hour * 60 + minute;
}
const inside = (zone: string, instant: Date | number): boolean => {
  const minute = localMinute(zone, instant);
  return minute >= 8 * 60 && minute < 21 * 60;
};
const allInside = (zones: readonly string[], instant: Date | number): boolean =>
  zones.every((zone) => inside(zone, instant));

const marketing = (now: string, e164: string, timeZone?: string): QuietHoursResult =>
  quietHoursCheck({ now: new Date(now), category: 'marketing', e164, timeZone });

function expectRefusedUntil(result: QuietHoursResult, retryAt: string): void {
  expect(result.allowed).toBe(false);
  if (result.allowed) return;
  expect(result.retryAt.toISOString()).toBe(retryAt);
}

describe('quiet hours', () => {
  describe('window boundaries', () => {
    it.each([
      // outcome, local time, zone, instant, expected retryAt
      ['refuses', '07:59', 'Europe/Paris', '2026-11-24T06:59:00.000Z', '2026-11-24T07:00:00.000Z'],
      ['allows', '08:00', 'Europe/Paris', '2026-11-24T07:00:00.000Z', undefined],
      ['allows', '20:59:59.999', 'Europe/Paris', '2026-11-24T19:59:59.999Z', undefined],
      ['refuses', '21:00', 'Europe/Paris', '2026-11-24T20:00:00.000Z', '2026-11-25T07:00:00.000Z'],
      ['refuses', '07:59', 'America/New_York', '2026-11-24T12:59:00.000Z', '2026-11-24T13:00:00.000Z'],
      ['allows', '08:00', 'America/New_York', '2026-11-24T13:00:00.000Z', undefined],
      ['allows', '20:59', 'America/New_York', '2026-11-25T01:59:00.000Z', undefined],
      ['refuses', '21:00', 'America/New_York', '2026-11-25T02:00:00.000Z', '2026-11-25T13:00:00.000Z'],
    ])('%s marketing at %s local time in %s', (_outcome, local, zone, now, retryAt) => {
      // GIVEN a subscriber whose profile names the zone, at the given local time
      expect(localMinute(zone, new Date(now))).toBe(
        Number(local.slice(0, 2)) * 60 + Number(local.slice(3, 5)),
      );
      // WHEN marketing is checked at the boundary instant
      const result = marketing(now, US, zone);

      // THEN the window start is inclusive, the end exclusive, and a refusal points at the next 08:00
      expect(result.zones).toEqual([zone]);
      if (retryAt === undefined) expect(result.allowed).toBe(true);
      else expectRefusedUntil(result, retryAt);
    });

    it('rounds a refusal at 07:59:30 up to 08:00:00 exactly', () => {
      // GIVEN an instant half a minute before the window opens in Paris
      // WHEN it is checked
      const result = marketing('2026-11-24T06:59:30.500Z', FRENCH);

      // THEN retryAt is the first instant of the window, not "now plus a minute"
      expectRefusedUntil(result, '2026-11-24T07:00:00.000Z');
    });
  });

  describe('categories', () => {
    it.each(MESSAGE_CATEGORIES.filter((category) => category !== 'marketing'))(
      'always allows %s, even at 03:00 local',
      (category) => {
        // GIVEN 03:00 in Paris, deep inside quiet hours
        const now = new Date('2026-11-24T02:00:00.000Z');
        expect(localMinute('Europe/Paris', now)).toBe(3 * 60);

        // WHEN a non-marketing message is checked
        const result = quietHoursCheck({ now, category, e164: FRENCH });

        // THEN it is allowed and no zone was even consulted
        expect(result).toEqual({ allowed: true, zones: [] });
        expect(marketing(now.toISOString(), FRENCH).allowed).toBe(false);
      },
    );
  });

  describe('which zones count', () => {
    it('uses the profile time zone rather than the country of the number', () => {
      // GIVEN 13:00 in Paris, 07:00 in New York, and a French number whose profile says New York
      const now = '2026-11-24T12:00:00.000Z';

      // WHEN marketing is checked with and without the profile zone
      const withProfile = marketing(now, FRENCH, 'America/New_York');
      const withoutProfile = marketing(now, FRENCH);

      // THEN the profile zone decides
      expectRefusedUntil(withProfile, '2026-11-24T13:00:00.000Z');
      expect(withProfile.zones).toEqual(['America/New_York']);
      expect(withoutProfile).toEqual({ allowed: true, zones: ['Europe/Paris'] });
    });

    it('ignores a profile time zone the runtime does not know and falls back to the country', () => {
      // GIVEN a profile zone that is not an IANA name
      // WHEN the zones are resolved
      const resolved = recipientTimeZones({ timeZone: 'Mars/Olympus_Mons', e164: FRENCH });

      // THEN the number's country is used
      expect(resolved).toEqual({ zones: ['Europe/Paris'], source: 'country' });
    });

    it('falls back to UTC for a non-geographic number', () => {
      // GIVEN an international freephone number with no country and no profile zone
      // WHEN marketing is checked at 07:59 UTC
      const result = marketing('2026-01-15T07:59:00.000Z', NON_GEOGRAPHIC);

      // THEN UTC's window applies
      expect(recipientTimeZones({ e164: NON_GEOGRAPHIC })).toEqual({
        zones: ['Etc/UTC'],
        source: 'fallback',
      });
      expectRefusedUntil(result, '2026-01-15T08:00:00.000Z');
      expect(result.zones).toEqual(['Etc/UTC']);
    });

    it('covers regions that the zone data lacks, such as Kosovo', () => {
      expect(zonesForCountry('XK')).toEqual(['Europe/Belgrade']);
      expect(zonesForCountry('AC')).toEqual(['Atlantic/St_Helena']);
    });

    it('lists only current zones for a country, without deprecated names or aliases', () => {
      // GIVEN the zone data for the United States, which also carries names like US/Eastern
      const zones = zonesForCountry('US');

      // THEN each listed zone is canonical in the data, and the aliases are gone
      expect(zones).toEqual(
        expect.arrayContaining(['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu']),
      );
      expect(zones).not.toContain('US/Eastern');
      expect(zones).not.toContain('America/Fort_Wayne');
      for (const zone of zones) {
        const data = getTimezonesForCountry('US', { deprecated: true })?.find((tz) => tz.name === zone);
        expect(data?.deprecated).toBeFalsy();
        expect(data?.aliasOf ?? null).toBeNull();
      }
      expect(zonesForCountry('GB')).toEqual(['Europe/London']);
    });

    it('finds a common window for the full zone list of every region libphonenumber knows', () => {
      // GIVEN every region, in winter and in summer
      for (const region of getCountries()) {
        const zones = zonesForCountry(region);
        expect(zones.length).toBeGreaterThan(0);
        for (const now of ['2026-01-15T12:00:00.000Z', '2026-07-15T12:00:00.000Z']) {
          // WHEN its zones are checked together
          const result = quietHoursCheckForZones(new Date(now), zones);

          // THEN no zone had to be dropped: the widest-subset fallback is never needed with real data
          expect({ region, zones: result.zones }).toEqual({ region, zones });
        }
      }
    });
  });

  describe('countries with several zones', () => {
    it.each([
      // United States from a +1 (201) number: mainland, Alaska and Hawaii. Winter: 18:00–02:00 UTC.
      ['US in winter, Hawaii still before 08:00', US, '2026-01-15T17:59:00.000Z', '2026-01-15T18:00:00.000Z'],
      ['US in winter, window open', US, '2026-01-15T18:00:00.000Z', undefined],
      ['US in winter, New York at 20:59', US, '2026-01-16T01:59:00.000Z', undefined],
      ['US in winter, New York at 21:00', US, '2026-01-16T02:00:00.000Z', '2026-01-16T18:00:00.000Z'],
      // Summer (EDT, Adak on HDT, Hawaii without DST): 18:00–01:00 UTC.
      ['US in summer, New York at 21:00 EDT', US, '2026-07-16T01:00:00.000Z', '2026-07-16T18:00:00.000Z'],
      ['US in summer, New York at 20:59 EDT', US, '2026-07-16T00:59:00.000Z', undefined],
      // Canada from St John's (UTC-3:30) to Vancouver (UTC-8): 16:00–00:30 UTC in winter.
      ['Canada, Vancouver at 07:59', CANADIAN, '2026-01-15T15:59:00.000Z', '2026-01-15T16:00:00.000Z'],
      ["Canada, St John's at 20:59", CANADIAN, '2026-01-16T00:29:00.000Z', undefined],
      ["Canada, St John's at 21:00", CANADIAN, '2026-01-16T00:30:00.000Z', '2026-01-16T16:00:00.000Z'],
      // Australia in January: Perth (UTC+8) to Lord Howe (UTC+11): 00:00–10:00 UTC.
      [
        'Australia in summer, Perth at 07:59',
        AUSTRALIAN,
        '2026-01-14T23:59:00.000Z',
        '2026-01-15T00:00:00.000Z',
      ],
      [
        'Australia in summer, Sydney at 21:00',
        AUSTRALIAN,
        '2026-01-15T10:00:00.000Z',
        '2026-01-16T00:00:00.000Z',
      ],
      // Australia in July: Lord Howe is on UTC+10:30, so the window closes at 10:30 UTC.
      ['Australia in winter, Lord Howe at 20:59', AUSTRALIAN, '2026-07-15T10:29:00.000Z', undefined],
      [
        'Australia in winter, Lord Howe at 21:00',
        AUSTRALIAN,
        '2026-07-15T10:30:00.000Z',
        '2026-07-16T00:00:00.000Z',
      ],
      // Brazil from Noronha (UTC-2) to Acre (UTC-5): 13:00–23:00 UTC.
      ['Brazil, Acre at 07:59', BRAZILIAN, '2026-01-15T12:59:00.000Z', '2026-01-15T13:00:00.000Z'],
      ['Brazil, Noronha at 20:59', BRAZILIAN, '2026-01-15T22:59:00.000Z', undefined],
      ['Brazil, Noronha at 21:00', BRAZILIAN, '2026-01-15T23:00:00.000Z', '2026-01-16T13:00:00.000Z'],
      // Russia from Kaliningrad (UTC+2) to Kamchatka (UTC+12): only 06:00–09:00 UTC.
      ['Russia, Kaliningrad at 07:59', RUSSIAN, '2026-01-15T05:59:00.000Z', '2026-01-15T06:00:00.000Z'],
      ['Russia, Kamchatka at 20:59', RUSSIAN, '2026-01-15T08:59:00.000Z', undefined],
      ['Russia, Kamchatka at 21:00', RUSSIAN, '2026-01-15T09:00:00.000Z', '2026-01-16T06:00:00.000Z'],
    ])('%s', (_case, e164, now, retryAt) => {
      // GIVEN a number whose country spans several zones and no profile zone
      // WHEN marketing is checked
      const result = marketing(now, e164);

      // THEN the window common to all of the country's zones applies
      expect(result.zones.length).toBeGreaterThan(1);
      if (retryAt === undefined) {
        expect(result.allowed).toBe(true);
        expect(allInside(result.zones, new Date(now))).toBe(true);
      } else {
        expectRefusedUntil(result, retryAt);
      }
    });

    it('checks a +1 US number against the mainland, Alaska and Hawaii together', () => {
      const { zones } = recipientTimeZones({ e164: US });
      expect(zones).toEqual(
        expect.arrayContaining([
          'America/New_York',
          'America/Chicago',
          'America/Denver',
          'America/Phoenix',
          'America/Los_Angeles',
          'America/Anchorage',
          'America/Adak',
          'Pacific/Honolulu',
        ]),
      );
    });
  });

  describe('zones with no common window', () => {
    // UTC-10, UTC and UTC+10: every pair shares a window, all three never do.
    const SPREAD = ['Etc/GMT+10', 'Etc/UTC', 'Etc/GMT-10'];

    it('detects that the zones never share a window', () => {
      expect(nextCommonWindowStart(new Date('2026-01-15T12:00:00.000Z'), SPREAD)).toBeUndefined();
    });

    it('falls back to the widest subset whose offsets fit within 11 hours, preferring the narrowest spread', () => {
      // GIVEN three zones whose windows have no common minute
      const now = new Date('2026-01-15T12:00:00.000Z');

      // WHEN they are checked
      const result = quietHoursCheckForZones(now, SPREAD);

      // THEN two zones 4 hours apart across the date line are kept: UTC-10 and UTC+10 share 22:00–07:00 UTC
      expect(widestCommonSubset(now, SPREAD)).toEqual(['Etc/GMT+10', 'Etc/GMT-10']);
      expect(result.zones).toEqual(['Etc/GMT+10', 'Etc/GMT-10']);
      expectRefusedUntil(result, '2026-01-15T22:00:00.000Z');
    });
  });

  describe('daylight saving time', () => {
    it.each([
      // zone, now (21:00 local the evening before, or inside the night), expected 08:00 local the next morning
      ['America/New_York', '2026-03-08T02:00:00.000Z', '2026-03-08T12:00:00.000Z'], // spring forward: 08:00 EDT
      ['America/New_York', '2026-03-08T06:00:00.000Z', '2026-03-08T12:00:00.000Z'], // 01:00 EST, before the jump
      ['America/New_York', '2026-11-01T01:00:00.000Z', '2026-11-01T13:00:00.000Z'], // fall back: 08:00 EST
      ['America/New_York', '2026-11-01T05:30:00.000Z', '2026-11-01T13:00:00.000Z'], // 01:30 EDT, the first one
      ['America/New_York', '2026-11-01T06:30:00.000Z', '2026-11-01T13:00:00.000Z'], // 01:30 EST, the repeat
      ['Europe/London', '2026-03-28T21:00:00.000Z', '2026-03-29T07:00:00.000Z'], // spring forward: 08:00 BST
      ['Europe/London', '2026-10-24T20:00:00.000Z', '2026-10-25T08:00:00.000Z'], // fall back: 08:00 GMT
      ['Europe/London', '2026-10-25T00:30:00.000Z', '2026-10-25T08:00:00.000Z'], // 01:30 BST, the first one
      ['Australia/Sydney', '2026-04-04T10:00:00.000Z', '2026-04-04T22:00:00.000Z'], // DST ends: 08:00 AEST
      ['Australia/Sydney', '2026-10-03T11:00:00.000Z', '2026-10-03T21:00:00.000Z'], // DST starts: 08:00 AEDT
    ])('in %s from %s waits until %s', (zone, now, retryAt) => {
      // GIVEN a night on which the zone changes its offset
      // WHEN marketing is checked during quiet hours
      const result = marketing(now, FRENCH, zone);

      // THEN retryAt is 08:00 on the new offset, and the minute before it is still quiet
      expectRefusedUntil(result, retryAt);
      expect(localMinute(zone, new Date(retryAt))).toBe(8 * 60);
      expect(inside(zone, new Date(retryAt).getTime() - MINUTE)).toBe(false);
      expect(marketing(retryAt, FRENCH, zone).allowed).toBe(true);
    });

    it('keeps the window open until 21:00 on the evening after a fall-back night', () => {
      // 2026-11-01 in New York: 20:59 EST is 01:59 UTC the next day
      expect(marketing('2026-11-02T01:59:00.000Z', US, 'America/New_York').allowed).toBe(true);
      expectRefusedUntil(
        marketing('2026-11-02T02:00:00.000Z', US, 'America/New_York'),
        '2026-11-02T13:00:00.000Z',
      );
    });
  });

  describe('properties', () => {
    const ZONES = Intl.supportedValuesOf('timeZone');
    const NUMBERS = getCountries().flatMap((region) => {
      const example = getExampleNumber(region, examples);
      return example ? [example.number] : [];
    });
    const instant = fc
      .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31, 23, 59, 59, 999) })
      .map((ms) => new Date(ms));

    function checkResult(now: Date, result: QuietHoursResult, step: number): void {
      const zones = result.zones;
      expect(zones.length).toBeGreaterThan(0);
      if (result.allowed) {
        // (a) allowed: every considered zone is inside [08:00, 21:00)
        expect(allInside(zones, now)).toBe(true);
        return;
      }
      // (b) refused: retryAt is later, on a whole minute, allowed, and nothing before it is
      const retryAt = result.retryAt.getTime();
      expect(retryAt).toBeGreaterThan(now.getTime());
      expect(retryAt % MINUTE).toBe(0);
      expect(allInside(zones, retryAt)).toBe(true);
      expect(allInside(zones, now)).toBe(false);
      if (retryAt - MINUTE >= now.getTime()) expect(allInside(zones, retryAt - MINUTE)).toBe(false);
      for (let t = now.getTime(); t < retryAt; t += step) expect(allInside(zones, t)).toBe(false);
    }

    it('for any zone and instant, allows only inside the window and refuses until exactly the next opening', () => {
      fc.assert(
        fc.property(fc.constantFrom(...ZONES), instant, (zone, now) => {
          // GIVEN a subscriber in any zone the runtime knows, at any instant in 2020–2035
          // WHEN marketing is checked
          const result = quietHoursCheck({ now, category: 'marketing', timeZone: zone, e164: US });

          // THEN the result agrees with the zone's wall clock, and a wait never exceeds one night
          expect(result.zones).toEqual([zone]);
          checkResult(now, result, 7 * MINUTE);
          if (!result.allowed)
            expect(result.retryAt.getTime() - now.getTime()).toBeLessThanOrEqual(13 * HOUR);
        }),
        { numRuns: 400 },
      );
    });

    it('for any region and instant, the common window of its zones holds in each of them', () => {
      fc.assert(
        fc.property(fc.constantFrom(...NUMBERS), instant, (e164, now) => {
          // GIVEN a number from any region and no profile zone
          // WHEN marketing is checked
          const result = quietHoursCheck({ now, category: 'marketing', e164 });

          // THEN every zone of the region agrees, and the next opening is within a day
          expect(result.zones).toEqual(recipientTimeZones({ e164 }).zones);
          checkResult(now, result, 17 * MINUTE);
          if (!result.allowed)
            expect(result.retryAt.getTime() - now.getTime()).toBeLessThanOrEqual(24 * HOUR);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('QuietHoursError', () => {
    it('tells the client when to send, with retryAt as an extension member and no phone number', () => {
      // GIVEN a refusal for a French number at 07:59 in Paris
      const now = new Date('2026-11-24T06:59:00.000Z');
      const refusal = quietHoursCheck({ now, category: 'marketing', e164: FRENCH });
      if (refusal.allowed) throw new Error('expected a refusal');

      // WHEN it becomes a problem response
      const error = new QuietHoursError(refusal, { now });
      const response = toProblemResponse(error);
      const body = JSON.parse(response.body) as Record<string, unknown>;

      // THEN the detail says exactly what to do and the body carries retryAt
      expect(error).toBeInstanceOf(ProblemError);
      expect(error.name).toBe('QuietHoursError');
      expect(response.statusCode).toBe(422);
      expect(response.headers['retry-after']).toBe('60');
      expect(body).toMatchObject({
        type: 'urn:optline:problem:quiet-hours',
        detail:
          'Marketing messages to this recipient may be sent between 08:00 and 21:00 in Europe/Paris; retry at 2026-11-24T07:00:00.000Z.',
        retryAt: '2026-11-24T07:00:00.000Z',
        timeZones: ['Europe/Paris'],
      });
      expect(response.body).not.toContain('612345678');
    });

    it('names a few zones of a multi-zone country and points to the full list', () => {
      const refusal = marketing('2026-01-15T15:00:00.000Z', US);
      if (refusal.allowed) throw new Error('expected a refusal');

      const error = new QuietHoursError(refusal);

      expect(error.detail).toMatch(
        /^Marketing messages to this recipient may be sent between 08:00 and 21:00 in every time zone of the recipient's country at once \(America\/Adak, .* and \d+ more, listed in timeZones\); retry at 2026-01-15T18:00:00\.000Z\.$/,
      );
      expect(error.headers['retry-after']).toBeUndefined();
      expect(error.detail).not.toContain('2015550123');
    });

    it('is thrown by enforceQuietHours for a refusal, which returns the zones otherwise', () => {
      const input = { category: 'marketing', e164: FRENCH } as const;
      expect(() => enforceQuietHours({ ...input, now: new Date('2026-11-24T02:00:00.000Z') })).toThrow(
        QuietHoursError,
      );
      expect(enforceQuietHours({ ...input, now: new Date('2026-11-24T12:00:00.000Z') })).toEqual([
        'Europe/Paris',
      ]);
    });

    it('refuses an invalid clock instead of guessing', () => {
      expect(() => marketing('not a date', FRENCH)).toThrow(RangeError);
    });
  });
});
