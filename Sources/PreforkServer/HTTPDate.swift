import Glibc

/// The `Date:` line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once per second.
struct HTTPDate {
    private(set) var line: [UInt8] = Array("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n".utf8)
    private var second: time_t = -1

    /// Refreshes the line if the second changed (and says so); no allocation, the storage is reused.
    @discardableResult
    mutating func refresh(now: time_t = time(nil)) -> Bool {
        guard now != second else { return false }
        second = now
        var seconds = now
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days: StaticString = "SunMonTueWedThuFriSat"
        let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        line.withUnsafeMutableBufferPointer { out in
            func put(_ index: Int, _ text: StaticString, _ offset: Int) {
                for k in 0..<3 { out[index + k] = text.utf8Start[offset * 3 + k] }
            }
            func twoDigits(_ index: Int, _ value: Int32) {
                out[index] = UInt8(48 + value / 10)
                out[index + 1] = UInt8(48 + value % 10)
            }
            put(6, days, Int(parts.tm_wday))
            twoDigits(11, parts.tm_mday)
            put(14, months, Int(parts.tm_mon))
            let year = parts.tm_year + 1900
            twoDigits(18, year / 100)
            twoDigits(20, year % 100)
            twoDigits(23, parts.tm_hour)
            twoDigits(26, parts.tm_min)
            twoDigits(29, parts.tm_sec)
        }
        return true
    }
}
