/// One benchmark input: the bytes every parser gets, and what a correct parse of them finds.
struct Input {
    let name: String
    let bytes: [UInt8]
    let requests: Int
    /// Header fields (not trailer fields) over all requests of the buffer.
    let headerFields: Int
    /// De-chunked body bytes over all requests of the buffer.
    let bodyBytes: Int
}

/// Joins lines with CRLF and ends the head with an empty line.
private func head(_ lines: [String]) -> String {
    lines.map { $0 + "\r\n" }.joined() + "\r\n"
}

private let smallGET = head([
    "GET /cats/7 HTTP/1.1",
    "Host: cathammer.example",
    "User-Agent: curl/8.5.0",
    "Accept: */*",
    "Accept-Encoding: gzip, deflate, br",
    "Connection: keep-alive",
])

private let browserGET = head([
    "GET /cats/7/photos?size=large&sort=newest&page=2 HTTP/1.1",
    "Host: www.cathammer.example",
    "Connection: keep-alive",
    #"sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99""#,
    "sec-ch-ua-mobile: ?0",
    #"sec-ch-ua-platform: "Linux""#,
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
        + "application/signed-exchange;v=b3;q=0.7",
    "Sec-Fetch-Site: same-origin",
    "Sec-Fetch-Mode: navigate",
    "Sec-Fetch-Dest: document",
    "Referer: https://www.cathammer.example/cats/7?tab=photos",
    "Accept-Encoding: gzip, deflate, br, zstd",
    "Accept-Language: en-US,en;q=0.9,de-DE;q=0.8,de;q=0.7",
    "Cookie: _ga=GA1.1.1234567890.1714000000; _ga_Q1W2E3R4T5=GS1.1.1714000000.3.1.1714003600.0.0.0; "
        + "session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYXQtNyIsIm5hbWUiOiJNaXR0ZW5zIiwiaWF0IjoxNzE0MDAwMDAwfQ."
        + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c; theme=dark; consent=analytics%3Dyes%26ads%3Dno",
    "Cookie: cart=%7B%22items%22%3A%5B%7B%22id%22%3A7%2C%22qty%22%3A2%7D%2C%7B%22id%22%3A42%2C%22qty%22%3A1%7D%5D%7D; "
        + "recently_viewed=7%2C42%2C1337%2C9001%2C12%2C3; csrftoken=Xv9mQ2pLr8TnW4yZ6bK1cJ3dF5hG7sA0; "
        + "__cf_bm=Zx8yW7vU6tS5rQ4pO3nM2lK1jI0hG9fE8dC7bA6-1714003600-0-AbCdEfGhIjKlMnOpQrStUvWxYz",
])

/// ~1 KiB of body in three chunks; the first has a chunk extension, and a trailer field ends the message.
private let chunkedPOST: String = {
    func chunk(_ size: Int, extension ext: String = "") -> String {
        let pattern = Array(#"{"cat":7,"photo":"base64AAAABBBBCCCCDDDD","tags":["nap","sun","box"]},"#.utf8)
        let data = (0..<size).map { Character(UnicodeScalar(pattern[$0 % pattern.count])) }
        return String(size, radix: 16) + ext + "\r\n" + String(data) + "\r\n"
    }
    return head([
        "POST /cats/7/photos HTTP/1.1",
        "Host: cathammer.example",
        "User-Agent: cathammer-uploader/1.0",
        "Content-Type: application/json",
        "Accept: application/json",
        "Transfer-Encoding: chunked",
        "Trailer: X-Checksum",
    ]) + chunk(256, extension: ";checksum=7") + chunk(384) + chunk(384)
        + "0\r\nX-Checksum: 9f86d081884c7d659a2feaa0c55ad015\r\n\r\n"
}()

let inputs: [Input] = [
    Input(name: "small GET (5 headers)", bytes: Array(smallGET.utf8), requests: 1, headerFields: 5, bodyBytes: 0),
    Input(name: "100 pipelined small GETs", bytes: Array(String(repeating: smallGET, count: 100).utf8),
          requests: 100, headerFields: 500, bodyBytes: 0),
    Input(name: "browser GET (15 headers, cookies)", bytes: Array(browserGET.utf8),
          requests: 1, headerFields: 15, bodyBytes: 0),
    Input(name: "chunked POST (1 KiB, ext, trailer)", bytes: Array(chunkedPOST.utf8),
          requests: 1, headerFields: 6, bodyBytes: 1024),
]
