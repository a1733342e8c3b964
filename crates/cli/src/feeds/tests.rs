//! Unit tests of the feed readers: detection, the model, the mapping rules
//! (links, titles, dates, images, provider) and hostile shapes.

use super::*;

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_796_000_000).unwrap()
}

fn bundle(bytes: &str) -> FeedOutcome {
    match parse_bytes(bytes.as_bytes(), None) {
        Parsed::Feed(feed) => outcome(feed, "feed.xml", None, now()),
        Parsed::NotAFeed(why) => panic!("not a feed: {why}"),
        Parsed::Broken(e) => panic!("broken: {}", e.message),
    }
}

fn messages(out: &FeedOutcome) -> Vec<String> {
    out.diags
        .iter()
        .map(|d| format!("{}: {}", d.severity, d.message))
        .collect()
}

fn rss(channel_extra: &str, items: &str) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>T</title><link>https://www.t.example/</link>{channel_extra}{items}</channel></rss>"
    )
}

#[test]
fn sniffs_by_content() {
    assert_eq!(sniff(b"\xEF\xBB\xBF  <?xml"), Sniffed::Xml);
    assert_eq!(sniff(b"\n{\"version\""), Sniffed::Json);
    assert_eq!(sniff(b"---\ntitle: x"), Sniffed::Other);
    assert!(is_url_input(Path::new("https://a.example/feed.xml")));
    assert!(is_url_input(Path::new("HTTP://a.example/")));
    assert!(!is_url_input(Path::new("httpdocs/feed.xml")));
}

#[test]
fn the_feed_is_the_provider() {
    let out = bundle(&rss(
        "<image><url>/mark.png</url></image><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>",
        "<item><title>A</title><link>https://www.t.example/a</link></item>",
    ));
    let article = &out.articles[0];
    assert_eq!(article.article.provider.as_deref(), Some("t.example"));
    let (key, provider) = &article.providers[0];
    assert_eq!(key, "t.example");
    assert_eq!(provider.name, "T");
    assert_eq!(
        provider.logo.as_ref().map(|l| l.src.as_str()),
        Some("https://www.t.example/mark.png")
    );
}

#[test]
fn undated_items_follow_the_date_rule() {
    let item = "<item><title>A</title><link>https://www.t.example/a</link></item>";
    // The feed has a date: kept, undated.
    let kept = bundle(&rss(
        "<lastBuildDate>Mon, 02 Nov 2026 10:00:00 GMT</lastBuildDate>",
        item,
    ));
    assert_eq!(kept.articles.len(), 1);
    assert_eq!(kept.articles[0].article.published, None);
    // It has none: dropped with an error naming the item.
    let dropped = bundle(&rss("", item));
    assert!(dropped.articles.is_empty());
    assert_eq!(
        messages(&dropped),
        vec!["error: `item[0]`: no readable date, and the feed gives none; item skipped"]
    );
    // An unreadable date is a warning naming the element.
    let bad = bundle(&rss(
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>",
        "<item><title>A</title><link>https://www.t.example/a</link><pubDate>soon</pubDate></item>",
    ));
    assert_eq!(bad.articles.len(), 1);
    assert_eq!(
        messages(&bad),
        vec!["warning: `item[0].pubDate` `soon` is not a date this reader knows; ignored"]
    );
}

#[test]
fn titles_come_from_the_text_when_missing() {
    let out = bundle(&rss(
        "",
        "<item><link>https://www.t.example/a</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Short note.&lt;/p&gt;</description></item>\
         <item><link>https://www.t.example/b</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>",
    ));
    assert_eq!(out.articles.len(), 1);
    assert_eq!(out.articles[0].article.title, "Short note.");
    // The whole text became the title: no excerpt repeating it.
    assert_eq!(out.articles[0].article.excerpt, None);
    assert_eq!(out.skipped, 1);
}

#[test]
fn html_never_reaches_the_bundle() {
    let out = bundle(&rss(
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>",
        "<item><title>A</title><link>https://www.t.example/a</link>\
         <description>&lt;p onclick=\"x()\"&gt;Fish &amp;amp; chips&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;style&gt;p{}&lt;/style&gt;</description></item>",
    ));
    // Two layers, each decoded once: XML turns `&amp;amp;` into the
    // HTML `&amp;`, which is `&`.
    assert_eq!(
        out.articles[0].article.excerpt.as_deref(),
        Some("Fish & chips")
    );
    // In CDATA only the HTML layer decodes: a double-encoded `&amp;amp;`
    // stays `&amp;` in the text, as the feed literally says.
    let cdata = bundle(&rss(
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>",
        "<item><title>A</title><link>https://www.t.example/a</link>\
         <description><![CDATA[<p>Fish &amp;amp; chips</p>]]></description></item>",
    ));
    assert_eq!(
        cdata.articles[0].article.excerpt.as_deref(),
        Some("Fish &amp; chips")
    );
}

#[test]
fn links_fall_back_and_unsafe_ones_are_reported() {
    let out = bundle(&rss(
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>",
        "<item><title>A</title><link>javascript:alert(1)</link><guid>https://www.t.example/g</guid></item>",
    ));
    assert_eq!(out.articles[0].article.url, "https://www.t.example/g");
    assert_eq!(
        messages(&out),
        vec![
            "warning: `item[0].link` dropped: URL scheme `javascript:` is not allowed (only http and https)"
        ]
    );
}

#[test]
fn atom_xml_base_nests() {
    let atom = format!(
        "<feed xmlns=\"{}\" xml:base=\"https://a.example/x/\"><updated>2026-11-01T00:00:00Z</updated>\
         <entry xml:base=\"y/\"><title>E</title><link href=\"z\" xml:base=\"w/\"/><updated>2026-11-01T00:00:00Z</updated></entry></feed>",
        xml::ATOM
    );
    let out = bundle(&atom);
    assert_eq!(out.articles[0].article.url, "https://a.example/x/y/w/z");
}

#[test]
fn a_fetched_feed_resolves_against_its_url() {
    let base = url::Url::parse("https://feeds.example/news/rss.xml").unwrap();
    let Parsed::Feed(feed) = parse_bytes(
        b"<rss><channel><item><title>A</title><link>story/1</link></item></channel></rss>",
        Some(&base),
    ) else {
        panic!("feed")
    };
    assert_eq!(
        feed.entries[0].links[0].0,
        "https://feeds.example/news/story/1"
    );
}

#[test]
fn entity_bombs_cannot_expand() {
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><rss><channel><title>&c;</title></channel></rss>";
    let Parsed::Broken(e) = parse_bytes(laughs.as_bytes(), None) else {
        panic!("a DTD must be refused")
    };
    assert!(e.message.contains("DTDs are refused"));
    // An undeclared entity is an error too, not an expansion.
    assert!(matches!(
        parse_bytes(b"<rss><channel><title>&x;</title></channel></rss>", None),
        Parsed::Broken(_)
    ));
}

#[test]
fn deep_xml_is_no_crash() {
    let deep = format!(
        "<rss><channel>{}x{}</channel></rss>",
        "<a>".repeat(200_000),
        "</a>".repeat(200_000)
    );
    // Either read (no items) or refused: never a stack overflow.
    match parse_bytes(deep.as_bytes(), None) {
        Parsed::Feed(feed) => assert!(feed.entries.is_empty()),
        Parsed::Broken(_) => {}
        Parsed::NotAFeed(why) => panic!("{why}"),
    }
}

#[test]
fn json_feed_needs_its_version() {
    assert!(matches!(
        parse_bytes(b"{\"page\": 1, \"value\": []}", None),
        Parsed::NotAFeed(_)
    ));
    assert!(matches!(
        parse_bytes(
            b"{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"a\", \"title\": \"b\", \"items\": []}",
            None
        ),
        Parsed::Broken(_)
    ));
}

#[test]
fn topics_are_distinct_and_capped() {
    let cats: String = (0..300)
        .map(|i| format!("<category>c{i}</category><category>C{i}</category>"))
        .collect();
    let out = bundle(&rss(
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>",
        &format!("<item><title>A</title><link>https://www.t.example/a</link>{cats}</item>"),
    ));
    assert_eq!(out.articles[0].article.topics.len(), MAX_TOPICS);
    assert_eq!(out.articles[0].article.topics[1], "c1");
}

#[test]
fn relative_xml_base_resolves_against_the_home_page_of_a_file() {
    let atom = format!(
        "<feed xmlns=\"{}\" xml:base=\"blog/\"><link href=\"https://h.example/\"/><updated>2026-11-01T00:00:00Z</updated>\
         <entry xml:base=\"2026/\"><title>E</title><link href=\"post\"/><updated>2026-11-01T00:00:00Z</updated></entry></feed>",
        xml::ATOM
    );
    let out = bundle(&atom);
    assert_eq!(
        out.articles[0].article.url,
        "https://h.example/blog/2026/post"
    );
    let rss = "<rss><channel><link>https://r.example/a/</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>\
               <item xml:base=\"b/\"><title>I</title><link>c</link></item></channel></rss>";
    assert_eq!(
        bundle(rss).articles[0].article.url,
        "https://r.example/a/b/c"
    );
}

#[test]
fn utf16_feeds_are_read() {
    let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><channel><link>https://u.example/</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><item><title>Ünïcode</title><link>https://u.example/a</link></item></channel></rss>";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(sniff(&bytes), Sniffed::Xml);
    let Parsed::Feed(feed) = parse_bytes(&bytes, None) else {
        panic!("UTF-16 feed")
    };
    assert_eq!(feed.entries[0].title.as_deref(), Some("Ünïcode"));
}

#[test]
fn items_past_the_cap_are_counted_not_read() {
    let rss = format!(
        "<rss><channel>{}</channel></rss>",
        "<item/>".repeat(MAX_FEED_ITEMS + 3)
    );
    let Parsed::Feed(feed) = parse_bytes(rss.as_bytes(), None) else {
        panic!("feed")
    };
    assert_eq!(feed.entries.len(), MAX_FEED_ITEMS);
    assert_eq!(feed.total, MAX_FEED_ITEMS + 3);
    let atom = format!(
        "<feed xmlns=\"{}\">{}</feed>",
        xml::ATOM,
        "<entry/>".repeat(MAX_FEED_ITEMS + 1)
    );
    let Parsed::Feed(feed) = parse_bytes(atom.as_bytes(), None) else {
        panic!("feed")
    };
    assert_eq!(feed.entries.len(), MAX_FEED_ITEMS);
    assert_eq!(feed.total, MAX_FEED_ITEMS + 1);
}
