export { CallEndedError, isCallEndedError } from './CallEndedError.js';
export { HangupError, type HangupErrorCode, isHangupError } from './HangupError.js';
export { InvalidSignalError, isInvalidSignalError } from './InvalidSignalError.js';
export { isMediaAcquisitionError, MediaAcquisitionError } from './MediaAcquisitionError.js';
