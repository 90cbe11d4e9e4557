import Testing
@testable import GoalLedgerCore

/// The RFC 6962 tree against the vectors of transparency-dev/merkle
/// (`testonly/constants.go`, `testonly/reference_test.go`, `testdata/*` probes),
/// as copied in ../shared/vectors/README.md (V1, V2).
@Suite struct MerkleTests {
    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var digits = Array(hex.utf8)[...]
        while !digits.isEmpty {
            out.append(UInt8(String(decoding: digits.prefix(2), as: UTF8.self), radix: 16)!)
            digits = digits.dropFirst(2)
        }
        return out
    }

    static func hash(_ hex: String) -> MerkleHash { MerkleHash(bytes: bytes(hex: hex))! }

    static let entries = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"].map(bytes(hex:))

    static let leaves = entries.map { Merkle.leafHash($0) }

    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map(hash)

    /// Complete subtrees of the 8-leaf tree, from memory.
    static func complete(_ level: Int, _ index: Int64) -> MerkleHash {
        Merkle.root(of: Array(leaves[Int(index << level)..<Int((index + 1) << level)]))
    }

    @Test func leafHashesMatchTheVectors() {
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ]
        #expect(Self.leaves.map(\.hex) == expected)
    }

    @Test func rootsOfSizesZeroToEightMatchTheVectors() throws {
        for size in 0...8 {
            #expect(Merkle.root(of: Array(Self.leaves.prefix(size))) == Self.roots[size], "size \(size)")
            #expect(try Merkle.root(size: Int64(size), Self.complete) == Self.roots[size], "size \(size) from subtrees")
        }
    }

    @Test func frontierRebuiltFromSubtreesContinuesToTheSameRoots() throws {
        for start in 0...8 {
            var frontier = try MerkleFrontier(size: Int64(start), Self.complete)
            #expect(frontier.root == Self.roots[start])
            for size in start..<8 {
                frontier.append(Self.leaves[size]) { _, _, _ in }
                #expect(frontier.root == Self.roots[size + 1], "from \(start) to \(size + 1)")
            }
        }
    }

    @Test func frontierReportsEachCompletedSubtreeOnce() {
        var frontier = MerkleFrontier()
        var reported: [String] = []
        for leaf in Self.leaves {
            frontier.append(leaf) { level, index, hash in
                reported.append("\(level):\(index)")
                #expect(hash == Self.complete(level, index))
            }
        }
        #expect(reported == ["0:0", "0:1", "1:0", "0:2", "0:3", "1:1", "2:0", "0:4", "0:5", "1:2", "0:6", "0:7", "1:3",
                             "2:1", "3:0"])
    }

    static let inclusionVectors: [(index: Int64, size: Int64, proof: [String])] = [
        (0, 1, []),
        (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
        (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ]

    @Test func inclusionProofsMatchTheVectors() throws {
        for vector in Self.inclusionVectors {
            let proof = try Merkle.inclusionProof(index: vector.index, size: vector.size, Self.complete)
            #expect(proof.map(\.hex) == vector.proof, "\(vector.index):\(vector.size)")
        }
    }

    static let consistencyVectors: [(old: Int64, size: Int64, proof: [String])] = [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ]

    @Test func consistencyProofsMatchTheVectors() throws {
        for vector in Self.consistencyVectors {
            let proof = try Merkle.consistencyProof(old: vector.old, size: vector.size, Self.complete)
            #expect(proof.map(\.hex) == vector.proof, "\(vector.old)→\(vector.size)")
        }
    }

    /// `testdata/consistency/4/happy-path.json`, base64 as published.
    @Test func theHappyPathConsistencyProbeVerifies() throws {
        let proof = ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
                     "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="].map { MerkleHash(bytes: Base64.decode($0)!)! }
        let oldRoot = MerkleHash(bytes: Base64.decode("duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=")!)!
        let root = MerkleHash(bytes: Base64.decode("3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=")!)!
        try Merkle.verifyConsistency(oldSize: 6, size: 7, oldRoot: oldRoot, root: root, proof: proof)
        #expect(try Merkle.consistencyProof(old: 6, size: 7, Self.complete) == proof)
    }

    /// Every proof of the 8-leaf tree verifies, and every probe of the kinds
    /// transparency-dev/merkle's testdata holds (modified bits, truncated,
    /// garbage before or after, wrong or swapped roots, sizes and indices off) fails.
    @Test func everyInclusionProofVerifiesAndEveryProbeFails() throws {
        let garbage = Merkle.leafHash([0x47])
        for size in Int64(1)...8 {
            let root = Self.roots[Int(size)]
            for index in 0..<size {
                let leaf = Self.leaves[Int(index)]
                let proof = try Merkle.inclusionProof(index: index, size: size, Self.complete)
                try Merkle.verifyInclusion(leaf: leaf, index: index, size: size, proof: proof, root: root)
                var probes: [(String, MerkleHash, Int64, Int64, [MerkleHash], MerkleHash)] = [
                    ("wrong-leaf", garbage, index, size, proof, root),
                    ("empty-root", leaf, index, size, proof, Merkle.emptyRoot),
                    ("random-root", leaf, index, size, proof, garbage),
                    ("leafIndex-+-1", leaf, index + 1, size, proof, root),
                    ("leafIndex---1", leaf, index - 1, size, proof, root),
                    ("leafIndex-^-2", leaf, index ^ 2, size, proof, root),
                    ("treeSize-*-2", leaf, index, size * 2, proof, root),
                    ("treeSize-div-2", leaf, index, size / 2, proof, root),
                    ("preceding-garbage", leaf, index, size, [garbage] + proof, root),
                    ("trailing-garbage", leaf, index, size, proof + [garbage], root),
                    ("preceding-root", leaf, index, size, [root] + proof, root),
                    ("trailing-root", leaf, index, size, proof + [root], root),
                ]
                if !proof.isEmpty {
                    probes.append(("removed-component", leaf, index, size, Array(proof.dropLast()), root))
                    probes.append(("inserted-component", leaf, index, size, [proof[0]] + proof, root))
                }
                for position in proof.indices {
                    var modified = proof
                    var bytes = modified[position].bytes
                    bytes[0] ^= 1 << 3
                    modified[position] = MerkleHash(bytes: bytes)!
                    probes.append(("modified-proof[\(position)]-bit-3", leaf, index, size, modified, root))
                }
                for probe in probes {
                    // A probe equal to the real proof (e.g. index ^ 2 landing on the same leaf) is not a probe.
                    if probe.2 == index && probe.3 == size && probe.4 == proof && probe.5 == root && probe.1 == leaf {
                        continue
                    }
                    #expect(throws: MerkleError.self, "\(index):\(size) \(probe.0)") {
                        try Merkle.verifyInclusion(leaf: probe.1, index: probe.2, size: probe.3, proof: probe.4,
                                                   root: probe.5)
                    }
                }
            }
        }
    }

    @Test func everyConsistencyProofVerifiesAndEveryProbeFails() throws {
        let garbage = Merkle.leafHash([0x47])
        for size in Int64(1)...8 {
            for old in Int64(1)...size {
                let oldRoot = Self.roots[Int(old)], root = Self.roots[Int(size)]
                let proof = try Merkle.consistencyProof(old: old, size: size, Self.complete)
                try Merkle.verifyConsistency(oldSize: old, size: size, oldRoot: oldRoot, root: root, proof: proof)
                var probes: [(String, Int64, Int64, MerkleHash, MerkleHash, [MerkleHash])] = [
                    ("wrong-root1", old, size, garbage, root, proof),
                    ("wrong-root2", old, size, oldRoot, garbage, proof),
                    ("size1-+-1", old + 1, size, oldRoot, root, proof),
                    ("size1---1", old - 1, size, oldRoot, root, proof),
                    ("size2-*-2", old, size * 2, oldRoot, root, proof),
                    ("size2-div-2", old, size / 2, oldRoot, root, proof),
                    ("preceding-garbage", old, size, oldRoot, root, [garbage] + proof),
                    ("trailing-garbage", old, size, oldRoot, root, proof + [garbage]),
                    ("preceding-root1", old, size, oldRoot, root, [oldRoot] + proof),
                    ("trailing-root2", old, size, oldRoot, root, proof + [root]),
                ]
                if old != size { probes.append(("swapped-roots", old, size, root, oldRoot, proof)) }
                if !proof.isEmpty {
                    probes.append(("empty-proof", old, size, oldRoot, root, []))
                    probes.append(("truncated-proof", old, size, oldRoot, root, Array(proof.dropLast())))
                }
                for position in proof.indices {
                    var modified = proof
                    var bytes = modified[position].bytes
                    bytes[0] ^= 1 << 4
                    modified[position] = MerkleHash(bytes: bytes)!
                    probes.append(("modified-proof[\(position)]-bit-4", old, size, oldRoot, root, modified))
                }
                for probe in probes {
                    // size1 - 1 = 0 with any proof, or sizes that give the same trees, are not probes.
                    if probe.1 == 0 && probe.5.isEmpty { continue }
                    #expect(throws: MerkleError.self, "\(old)→\(size) \(probe.0)") {
                        try Merkle.verifyConsistency(oldSize: probe.1, size: probe.2, oldRoot: probe.3, root: probe.4,
                                                     proof: probe.5)
                    }
                }
            }
        }
    }

    @Test func indexOutsideTheTreeHasNoInclusionProof() {
        #expect(throws: MerkleError("leaf index 8 is not in a tree of size 8")) {
            try Merkle.inclusionProof(index: 8, size: 8, Self.complete)
        }
    }

    @Test func chainHashesDecodeFromLowercaseHexOnly() {
        let hex = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        #expect(MerkleHash(hex: Array(hex.utf8))?.hex == hex)
        #expect(MerkleHash(hex: Array(hex.uppercased().utf8)) == nil)
        #expect(MerkleHash(hex: Array(hex.dropLast().utf8) + [UInt8(ascii: "g")]) == nil)
        #expect(MerkleHash(hex: Array(hex.dropLast().utf8)) == nil)
    }

    @Test func base64IsStrict() {
        #expect(Base64.encode(Array("hello world".utf8)) == "aGVsbG8gd29ybGQ=")
        #expect(Base64.decode("aGVsbG8gd29ybGQ=") == Array("hello world".utf8))
        #expect(Base64.decode("aGVsbG8gd29ybGR=") == nil)  // nonzero bits after the last byte
        #expect(Base64.decode("aGVsbG8gd29ybGQ") == nil)
        #expect(Base64.decode("aGVs bG8=") == nil)
        #expect(Base64.decode("") == [])
    }
}
