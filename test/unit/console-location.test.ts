import { consoleLocation } from '../../console/src/location';

describe('where the console finds its API', () => {
  it('puts the API beside the console at the origin root locally', () => {
    expect(consoleLocation('http://127.0.0.1:3000/console/')).toEqual({
      apiBaseUrl: 'http://127.0.0.1:3000',
      consolePath: '/console/',
      route: '',
    });
  });

  it('keeps a deployed stage path in both, and reads the app route below the console', () => {
    expect(
      consoleLocation('https://abc.execute-api.eu-west-1.amazonaws.com/prod/console/requests?x=1'),
    ).toEqual({
      apiBaseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      consolePath: '/prod/console/',
      route: 'requests',
    });
  });

  it('treats /console without its slash as the console root', () => {
    expect(consoleLocation('http://127.0.0.1:3000/console')).toMatchObject({
      apiBaseUrl: 'http://127.0.0.1:3000',
      route: '',
    });
  });
});
