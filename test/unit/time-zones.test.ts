import { getAllTimezones } from 'countries-and-timezones';
import { TIME_ZONES } from '../../lambdas/shared/time-zones';

describe('TIME_ZONES, the IANA zones the API accepts', () => {
  it('is every Area/Location zone (and UTC) the installed countries-and-timezones knows, sorted', () => {
    const known = Object.keys(getAllTimezones({ deprecated: true }))
      .filter((zone) => zone.includes('/') || zone === 'UTC')
      .sort();
    expect([...TIME_ZONES]).toEqual(known);
  });

  it('holds only zones the runtime can compute quiet hours in', () => {
    for (const zone of TIME_ZONES)
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
  });
});
