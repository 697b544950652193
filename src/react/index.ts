/**
 * `hangup/react`: a hook that ties a call to a component's lifetime. Needs `react` (>= 18), an optional peer
 * dependency of `hangup`; the core never imports it.
 * @packageDocumentation
 */
export { type CallSessionSource, type UseCallSessionResult, useCallSession } from './useCallSession.js';
export { useMediaStreamRef } from './useMediaStreamRef.js';
