import AltcraftWire
import Foundation
import XCTest

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `XMLWire.decode` reads with our own `XMLReader` since the fifth performance round; before,
/// it read with Foundation's `XMLParser` (libxml2). The old reader is kept here, unchanged, as
/// the reference: on every fixture and on well-formed documents that use each piece of XML
/// syntax both must give the same value. Where they differ on purpose (malformed documents the
/// old one half-read, documents that crashed it) the expected value is written out.
final class XMLReaderTests: XCTestCase {
    /// Foundation's XMLParser, into the same tree, as `XMLWire.decode` did before.
    static func reference(_ text: String) -> WireValue? {
        let builder = ReferenceTreeBuilder()
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    func testEveryFixtureReadsAsFoundationsParserReadIt() throws {
        var count = 0
        for folder in ["responses", "requests"] {
            for url in try Fixtures.files(folder) where url.pathExtension == "xml" {
                let text = String(decoding: try Fixtures.bytes(url), as: UTF8.self)
                let expected = try XCTUnwrap(Self.reference(text), url.lastPathComponent)
                XCTAssertEqual(try XMLWire.decode(text), expected, url.lastPathComponent)
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 20)
    }

    func testEachPieceOfXMLSyntaxReadsAsFoundationsParserReadIt() throws {
        let documents = [
            "<xml/>", "<xml></xml>", "<xml>  text with  spaces </xml>", "<xml><a>1</a><a>2</a><b/></xml>",
            "<xml><a>&lt;&gt;&amp;&apos;&quot;</a></xml>", "<xml><a>&#65;&#x42;&#0067;&#x1F338;</a></xml>",
            "<xml><a>x<![CDATA[<not markup> & ]]>z</a></xml>", "<xml><a><![CDATA[a\r\nb]]></a></xml>",
            "<xml><a>a\r\nb\rc</a></xml>", "<xml><a>&#xD;</a></xml>", "<xml><!-- a comment --><a>1</a></xml>",
            "<!-- before --><xml/><!-- after -->", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml><a>1</a></xml>",
            "<?xml version='1.0' standalone='yes'?><xml/>", "\u{FEFF}<xml><a>1</a></xml>",
            "<!DOCTYPE xml><xml><a>1</a></xml>", "<!DOCTYPE xml SYSTEM \"x.dtd\"><xml/>",
            "<xml a='1' b=\"&amp;\"><c d='2'>3</c></xml>", "<a:b><c:d>1</c:d></a:b>",
            "<xml><Весна>весна 🌸</Весна></xml>", "<xml><a>\"quoted\"</a><b> \"padded\" </b><c>\"</c></xml>",
            "<xml><a>\u{A0}x\u{A0}</a></xml>", "<xml><a>1</a>mixed<b>2</b></xml>",
            "<xml>\n  <a>\n    <b>1</b>\n  </a>\n  <a><b>2</b></a>\n</xml>", "<xml\n><a >1</a\n></xml >",
            "<xml><a>]]</a><b>]></b></xml>", "<xml/>trailing text is not read", "<xml/><xml/>",
        ]
        for document in documents {
            let expected = try XCTUnwrap(Self.reference(document), document)
            XCTAssertEqual(try XMLWire.decode(document), expected, document)
        }
    }

    /// libxml2 recovered from these (a mismatched end tag closed the open element) and the
    /// old reader returned what it had read so far; a broken answer is now refused whole.
    func testMalformedDocumentsAreRefusedNotHalfRead() {
        let documents = [
            "<xml><a>1</b></xml>", "<xml></a><b/>", "<xml><a>1</a><b></xml>", "<xml><a>&undefined;</a></xml>",
            "<xml><a>a & b</a></xml>", "<xml><a>&#0;</a></xml>", "<xml><a>&#65</a></xml>", "<xml><a>\u{1}</a></xml>",
            "<xml><a>]]></a></xml>", "<xml a='1' a='2'/>", "<xml a=1/>", "<xml a='<'/>", "<xml a='1'b='2'/>",
            "<xml><!-- a -- b --></xml>", "<xml><![CDATA[x</xml>", "<1a/>", "< xml/>", "text<xml/>", "</xml>",
            "<xml><?xml version='1.0'?></xml>", "<?xml?><xml/>", "<?xml version=\"2.0\"?><xml/>",
            "<?xml encoding='UTF-8'?><xml/>", "<?xml version='1.0' standalone='maybe'?><xml/>",
            "<!DOCTYPE xml [<!ENTITY a \"b\">]><xml>&a;</xml>", "<!DOCTYPE><xml/>", "<xml/><!-- unterminated",
        ]
        for document in documents {
            XCTAssertThrowsError(try XMLWire.decode(document), document) { error in
                XCTAssertTrue((error as? WireFormatError)?.message.hasPrefix("invalid XML") == true, "\(document): \(error)")
            }
        }
    }

    /// Foundation's XMLParser crashed the process on these (a processing instruction without
    /// data); they are read now.
    func testProcessingInstructionsAreSkipped() throws {
        XCTAssertEqual(try XMLWire.decode("<?pi?><xml><?pi?><a>1</a></xml>"), ["a": "1"])
        XCTAssertEqual(try XMLWire.decode("<xml><?style type='x'?><a>1</a></xml>"), ["a": "1"])
    }

    /// The text is read as UTF-8 (checked before reading); a declaration of another encoding
    /// is refused rather than misread.
    func testOnlyUTF8IsAccepted() throws {
        XCTAssertEqual(try XMLWire.decode("<?xml version='1.0' encoding='us-ascii'?><xml><a>1</a></xml>")["a"], "1")
        XCTAssertThrowsError(try XMLWire.decode("<?xml version='1.0' encoding='ISO-8859-1'?><xml/>")) { error in
            XCTAssertEqual((error as? WireFormatError)?.message, "invalid XML: encoding other than UTF-8")
        }
    }

    func testDeepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        XCTAssertThrowsError(try XMLWire.decode(deep)) { error in
            XCTAssertEqual((error as? WireFormatError)?.message, "XML nested too deeply")
        }
    }
}

/// The old `XMLWire` tree builder, for the reference reading.
private final class ReferenceTreeBuilder: NSObject, XMLParserDelegate {
    private struct Frame {
        var name: String
        var children: [(key: String, value: WireValue)] = []
        var repeated: Set<String> = []
        var hasChildren = false
        var text = ""
    }

    private var stack: [Frame] = []
    var root: WireValue?

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        stack.append(Frame(name: elementName))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let frame = stack.popLast() else { return }
        let value: WireValue
        if frame.hasChildren {
            value = .object(WireObject(frame.children.map { ($0.key, $0.value) }))
        } else {
            let text = frame.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty {
                value = .null
            } else if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                value = .string(String(text.dropFirst().dropLast()))
            } else {
                value = .string(frame.text)
            }
        }
        if stack.isEmpty {
            root = value
            return
        }
        // A repeated element becomes an array (as WireObject.appendRepeating does).
        var parent = stack.removeLast()
        parent.hasChildren = true
        if let index = parent.children.firstIndex(where: { $0.key == frame.name }) {
            if case .array(let items) = parent.children[index].value, parent.repeated.contains(frame.name) {
                parent.children[index].value = .array(items + [value])
            } else {
                parent.children[index].value = .array([parent.children[index].value, value])
            }
            parent.repeated.insert(frame.name)
        } else {
            parent.children.append((frame.name, value))
        }
        stack.append(parent)
    }
}
