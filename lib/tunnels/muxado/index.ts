export { ErrorCode, FLAG_FIN, FLAG_SYN, FrameDecoder, FrameType, MuxadoProtocolError, encodeHeader } from "./frame";
export { MuxadoSession, type GoAway, type MuxadoSessionOptions } from "./session";
export { DEFAULT_WINDOW, MuxadoStream, StreamResetError } from "./stream";
export { StreamType, answerHeartbeat, openTypedStream, readExactly, readStreamType } from "./typed";
export { MAX_RPC_BYTES, RpcError, answerJson, proxyHeader, readJson } from "./rpc";
