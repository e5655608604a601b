import Glibc
import HTTP2Wire

/// Output: response bodies become DATA frames as the scheduler allows (the peer's windows, its frame
/// size, our own bound on prepared output), and the output buffer goes to the transport.
extension HTTP2Session {
    /// Fills and writes until the socket, the windows or the output bound stop it, or this turn's
    /// `writeBurst` is spent: then the next frames wait in the output, EPOLLOUT stays wanted, and the
    /// worker's other connections are served before this one writes again.
    func writeOut() {
        guard !lifecycle.isClosed, lifecycle.state != .draining else { return }
        let turnStart = bytesWritten
        while true {
            prepareData()
            guard flush(), !lifecycle.isClosed, scheduler.hasPendingData, !scheduler.isBlockedByFlowControl else { return }
            if bytesWritten - turnStart >= limits.writeBurst {
                prepareData()
                return
            }
        }
    }

    /// Appends DATA frames while less than `outputHighWater` waits to be written.
    private func prepareData() {
        guard scheduler.hasPendingData else { return }
        let buffers = takeBuffers()
        while true {
            let queued = buffers.output.count - outputSent
            guard queued < limits.outputHighWater,
                  let chunk = scheduler.next(room: limits.outputHighWater - queued)
            else { return }
            guard let stream = streams[chunk.streamID] else { continue }
            HTTP2FrameEncoder.appendHeader(HTTP2FrameHeader(length: UInt32(chunk.count), type: .data,
                                                            flags: chunk.last ? .endStream : [], streamID: stream.id),
                                           into: &buffers.output)
            if let file = stream.responseFile {
                guard appendFileBytes(file, count: chunk.count, into: buffers) else {
                    // The file shrank or failed under us: the stream cannot be completed honestly.
                    buffers.output.removeLast(HTTP2FrameHeader.size)
                    resetStream(stream.id, .internalError)
                    continue
                }
            } else {
                let start = stream.responseOffset
                buffers.output.append(contentsOf: stream.responseBody[start..<(start + chunk.count)])
                stream.responseOffset += chunk.count
            }
            floodGuard.dataFrameSent()
            if chunk.last {
                stream.responseBody = []
                stream.responseFile = nil
                sent(.dataEndStream, on: stream)
                responseComplete(stream)
            }
        }
    }

    private func appendFileBytes(_ file: FileBody, count: Int, into buffers: HTTP2Buffers) -> Bool {
        let start = buffers.output.count
        buffers.output.append(contentsOf: repeatElement(0, count: count))
        let read = buffers.output.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress! + start, count, off_t(file.offset)) }
        guard read == count else {
            buffers.output.removeLast(count)
            return false
        }
        file.offset += count
        return true
    }

    /// Writes what is queued; true when everything went out.
    @discardableResult
    func flush() -> Bool {
        guard let buffers else { return true }
        while outputSent < buffers.output.count {
            let result = buffers.output.withUnsafeBytes {
                transport.write(UnsafeRawBufferPointer(rebasing: $0[outputSent...]))
            }
            switch result {
            case .wrote(let count):
                outputSent += count
                bytesWritten += count
                lastOutputProgress = worker.loop.now
            case .wouldBlock:
                // Keep the buffer from creeping: drop what is already written once it is large.
                if outputSent >= 64 * 1024 {
                    buffers.output.removeFirst(outputSent)
                    outputSent = 0
                }
                return false
            case .failed:
                event(.failed)
                return false
            }
        }
        buffers.output.removeAll(keepingCapacity: true)
        outputSent = 0
        return true
    }
}
