import { describe, expect, it } from 'vitest';
import { DtlsRoleKeeper, keepDtlsRole, roleFromAnswer, setupValues } from '../../../src/peer/dtlsRole.js';

const answer = (setup: string, sections = 2): string =>
  `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${Array.from(
    { length: sections },
    (_, i) => `m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:${i}\r\na=setup:${setup}\r\n`,
  ).join('')}`;

describe('DTLS role', () => {
  it('reads the role an answer gives each side', () => {
    expect(roleFromAnswer(answer('active'), 'local')).toBe('client');
    expect(roleFromAnswer(answer('passive'), 'local')).toBe('server');
    expect(roleFromAnswer(answer('active'), 'remote')).toBe('server');
    expect(roleFromAnswer(answer('passive'), 'remote')).toBe('client');
    expect(roleFromAnswer(answer('actpass'), 'remote')).toBeUndefined();
    expect(roleFromAnswer('v=0\r\n', 'remote')).toBeUndefined();
  });

  it('rewrites every section of an answer that would flip the role, and nothing else', () => {
    const flipped = answer('active');
    const kept = keepDtlsRole(flipped, 'client');
    expect(kept.rewritten).toBe(true);
    expect(setupValues(kept.sdp)).toEqual(['passive', 'passive']);
    expect(kept.sdp.replaceAll('passive', 'active')).toBe(flipped);
    // A server's peer must stay active: a passive answer is the flip there.
    expect(setupValues(keepDtlsRole(answer('passive'), 'server').sdp)).toEqual(['active', 'active']);
  });

  it('leaves an answer that keeps the role untouched (the same string)', () => {
    const good = answer('passive');
    expect(keepDtlsRole(good, 'client')).toEqual({ sdp: good, rewritten: false });
    const none = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n';
    expect(keepDtlsRole(none, 'server')).toEqual({ sdp: none, rewritten: false });
  });

  it('handles LF-only SDP', () => {
    const lf = answer('active').replaceAll('\r\n', '\n');
    expect(setupValues(keepDtlsRole(lf, 'client').sdp)).toEqual(['passive', 'passive']);
  });

  it('the keeper learns the role from the first exchange only and guards later answers', () => {
    const keeper = new DtlsRoleKeeper();
    expect(keeper.guard(answer('active')).rewritten).toBe(false);
    // We answered the first offer with active: we are the client for the rest of the call.
    keeper.applied(answer('active'), 'local');
    expect(keeper.role).toBe('client');
    keeper.applied(answer('active'), 'remote');
    expect(keeper.role).toBe('client');
    expect(setupValues(keeper.guard(answer('active')).sdp)).toEqual(['passive', 'passive']);
  });
});
