import CUnwind

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Names code addresses of this process: `dladdr` for the object and its dynamic symbols, the
/// object's ELF `.symtab` for everything else, the Swift runtime's `swift_demangle` (and the C++
/// runtime's `__cxa_demangle`) for a readable name.
///
/// Must run in the process the addresses were captured in. Addresses in no symbol (stripped
/// libraries) are named `library+0xOFFSET`, which `addr2line -e library 0xOFFSET` resolves offline.
struct Symbolizer {
    /// A named code address.
    struct Frame: Hashable {
        /// Readable function name, or `library+0xOFFSET`.
        var name: String
        /// Path of the loaded object holding the code, empty when unknown.
        var object: String
    }

    private var cache: [UInt: Frame] = [:]
    private var tables = SymbolTables()
    private let demangler = Demangler()

    /// The readable name of the code at `address`. For return addresses the lookup uses
    /// `address - 1`, so a call that is the last instruction of a function is not attributed to
    /// the function placed after it.
    mutating func name(of address: UInt, isReturnAddress: Bool) -> String {
        frame(of: address, isReturnAddress: isReturnAddress).name
    }

    /// The name and object of the code at `address` (see ``name(of:isReturnAddress:)``).
    mutating func frame(of address: UInt, isReturnAddress: Bool) -> Frame {
        let lookup = isReturnAddress && address > 0 ? address - 1 : address
        if let known = cache[lookup] { return known }
        let frame = resolve(lookup)
        cache[lookup] = frame
        return frame
    }

    private mutating func resolve(_ address: UInt) -> Frame {
        var path: UnsafePointer<CChar>?
        var base: UInt = 0
        var symbol: UnsafePointer<CChar>?
        var symbolAddress: UInt = 0
        guard phibench_dladdr(address, &path, &base, &symbol, &symbolAddress) != 0 else {
            return Frame(name: "[unknown]", object: "")
        }
        let file = path.map { String(cString: $0) } ?? ""
        if let symbol {
            return Frame(name: demangler.readableName(String(cString: symbol)), object: file)
        }
        return Frame(name: tables.name(of: address, in: file, loadBase: base, demangler: demangler), object: file)
    }
}

/// ELF symbol tables by file, loaded on first use.
struct SymbolTables {
    private var tables: [String: ELFSymbolTable?] = [:]

    /// The readable name of `address` in `file` loaded at `loadBase`, or `file+0xOFFSET`.
    mutating func name(of address: UInt, in file: String, loadBase: UInt, demangler: Demangler) -> String {
        if file.isEmpty { return "[unknown]" }
        if tables[file] == nil {
            tables[file] = .some(ELFSymbolTable(path: file))
        }
        if let table = tables[file] ?? nil, let symbol = table.symbol(containing: address, loadBase: loadBase) {
            return demangler.readableName(symbol)
        }
        return "\(baseName(file))+0x\(String(address &- loadBase, radix: 16))"
    }
}

/// The file name of a path.
func baseName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}

/// Demangling through the language runtimes already loaded into the process, found with `dlsym`
/// so that they are called with the C calling convention they are declared with.
struct Demangler {
    // swift_demangle(mangled, length, outputBuffer, outputBufferSize, flags) -> malloc'd C string.
    private typealias SwiftDemangle = @convention(c) (
        UnsafePointer<CChar>?, Int, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>?, UInt32
    ) -> UnsafeMutablePointer<CChar>?
    // __cxa_demangle(mangled, outputBuffer, length, status) -> malloc'd C string.
    private typealias CxxDemangle = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int32>?
    ) -> UnsafeMutablePointer<CChar>?

    private let swiftDemangle: SwiftDemangle?
    private let cxxDemangle: CxxDemangle?

    init() {
        let process = dlopen(nil, RTLD_NOW)
        swiftDemangle = dlsym(process, "swift_demangle").map { unsafeBitCast($0, to: SwiftDemangle.self) }
        cxxDemangle = dlsym(process, "__cxa_demangle").map { unsafeBitCast($0, to: CxxDemangle.self) }
    }

    /// The full demangled form of a Swift symbol (`$s…`, `_T0…`), or nil when it is not one.
    func demangleSwift(_ symbol: String) -> String? {
        guard let swiftDemangle else { return nil }
        return symbol.withCString { mangled -> String? in
            guard let demangled = swiftDemangle(mangled, strlen(mangled), nil, nil, 0) else { return nil }
            defer { free(demangled) }
            return String(cString: demangled)
        }
    }

    /// The demangled form of a C++ symbol (`_Z…`), or nil when it is not one.
    func demangleCxx(_ symbol: String) -> String? {
        guard let cxxDemangle, symbol.hasPrefix("_Z") else { return nil }
        var status: Int32 = 0
        guard let demangled = cxxDemangle(symbol, nil, nil, &status), status == 0 else { return nil }
        defer { free(demangled) }
        return String(cString: demangled)
    }

    /// A name fit for a flame graph: simplified Swift, demangled C++, or the C symbol unchanged.
    func readableName(_ symbol: String) -> String {
        if let swift = demangleSwift(symbol), swift != symbol {
            return SymbolName.simplify(swift)
        }
        if let cxx = demangleCxx(symbol) {
            return cxx
        }
        return symbol
    }
}
