/// Standard base64 with padding (RFC 4648 §4), the encoding of signed notes,
/// checkpoints and proofs (C2SP). Decoding is strict: one text per byte string,
/// so a flipped character never decodes to the same bytes.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var offset = 0
        while offset < input.count {
            let remaining = input.count - offset
            let group = UInt32(input[offset]) << 16
                | (remaining > 1 ? UInt32(input[offset + 1]) << 8 : 0)
                | (remaining > 2 ? UInt32(input[offset + 2]) : 0)
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(group & 63)] : UInt8(ascii: "="))
            offset += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of a canonical base64 text, else nil (wrong length, a character
    /// outside the alphabet, misplaced padding, or nonzero bits after the last byte).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var offset = 0
        while offset < input.count {
            let isLast = offset + 4 == input.count
            let equals = UInt8(ascii: "=")
            // Only the last group may end in `=` (one) or `==` (two).
            var padding = 0
            if isLast && input[offset + 3] == equals { padding = input[offset + 2] == equals ? 2 : 1 }
            var group: UInt32 = 0
            for index in 0..<4 {
                let character = input[offset + index]
                if index >= 4 - padding {
                    group <<= 6
                    continue
                }
                let value = values[Int(character)]
                guard value != 0xFF else { return nil }
                group = group << 6 | UInt32(value)
            }
            output.append(UInt8(group >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(group >> 8 & 0xFF)) } else if group >> 8 & 0xFF != 0 { return nil }
            if padding < 1 { output.append(UInt8(group & 0xFF)) } else if group & 0xFF != 0 { return nil }
            offset += 4
        }
        return output
    }
}
