import { publicMessage } from './publicMessage';

describe('publicMessage', () => {
  it('cuts absolute paths to their last part and leaves the rest as it is', () => {
    expect(
      publicMessage(new Error('pg_ctl: could not start server\nExamine the log output in /var/lib/orochi/clusters/1b2c/server.log.')),
    ).toBe('Error: pg_ctl: could not start server\nExamine the log output in server.log.');
    expect(publicMessage(new Error('could not open file "/data/orochi/abc/postgresql.conf": EACCES'))).toBe(
      'Error: could not open file "postgresql.conf": EACCES',
    );
    expect(publicMessage(new Error("ENOENT: no such file or directory, open '/tmp/x/credentials.json'"))).toBe(
      "Error: ENOENT: no such file or directory, open 'credentials.json'",
    );
    expect(publicMessage(new Error('connect ECONNREFUSED 127.0.0.1:5432 via http://kube.local/api/v1'))).toBe(
      'Error: connect ECONNREFUSED 127.0.0.1:5432 via http://kube.local/api/v1',
    );
  });
});
