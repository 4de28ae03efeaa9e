use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

const BATCH: &str = "\
H|LL202603100001|LINLI01|20260310|3|1046.30
D|1|AGR-0001|6222020200112233445|张伟|328.50|CNY|2026-03物业费 3-1-201
D|2|AGR-0002|6217000010001234567|李娜|88.88|CNY|2026-03物业费 3-2-502
D|3|AGR-0003|6228480010203040506|王秀英|628.92|CNY|2026-03物业费及停车费
T|3|1046.30
";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn line(seq: u32, agreement_no: &str, account_no: &str, account_name: &str, amount_fen: i64, memo: &str) -> DebitLine {
    DebitLine {
        seq,
        agreement_no: agreement_no.into(),
        account_no: AccountNo::new(account_no),
        account_name: account_name.into(),
        amount_fen,
        memo: memo.into(),
    }
}

fn expected_batch() -> DebitBatch {
    DebitBatch {
        batch_no: "LL202603100001".into(),
        company_code: "LINLI01".into(),
        created_on: day("2026-03-10"),
        lines: vec![
            line(1, "AGR-0001", "6222020200112233445", "张伟", 32_850, "2026-03物业费 3-1-201"),
            line(2, "AGR-0002", "6217000010001234567", "李娜", 8_888, "2026-03物业费 3-2-502"),
            line(3, "AGR-0003", "6228480010203040506", "王秀英", 62_892, "2026-03物业费及停车费"),
        ],
    }
}

fn line_error(line: usize, problem: Problem) -> BankFileError {
    BankFileError::Line { line, problem }
}

fn field(field: &'static str, rule: &'static str) -> Problem {
    Problem::Field { field, rule }
}

const NAME_RULE: &str = "must be 1-60 characters without |, control characters or outer spaces";
const AMOUNT_RULE: &str = "must be yuan with two decimals, 0.01 to 99999999.99";

#[test]
fn a_hand_written_batch_parses_to_exactly_its_values_and_writes_back_byte_identically() {
    let batch = parse_batch(BATCH.as_bytes()).unwrap();
    assert_eq!(batch, expected_batch());
    assert_eq!(batch.total_fen(), 104_630);
    assert_eq!(write_batch(&batch).unwrap(), BATCH);
}

#[test]
fn crlf_line_ends_a_bom_a_missing_last_newline_and_gbk_read_the_same_batch() {
    let crlf = BATCH.replace('\n', "\r\n");
    assert_eq!(parse_batch(crlf.as_bytes()).unwrap(), expected_batch());
    let bom = format!("\u{feff}{}", BATCH.trim_end());
    assert_eq!(parse_batch(bom.as_bytes()).unwrap(), expected_batch());
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(BATCH);
    assert!(!unmappable && std::str::from_utf8(&gbk).is_err());
    assert_eq!(parse_batch(&gbk).unwrap(), expected_batch());
    // Blank lines after the trailer are what some editors leave; they are harmless.
    assert!(parse_batch(format!("{BATCH}\r\n\r\n").as_bytes()).is_ok());
}

#[test]
fn the_account_number_is_masked_in_debug_output() {
    let debug = format!("{:?}", expected_batch());
    assert!(!debug.contains("6222020200112233445"), "{debug}");
    assert!(debug.contains("****3445"), "{debug}");
    assert_eq!(format!("{:?}", AccountNo::new("123")), "***");
}

#[test]
fn a_header_or_trailer_that_disagrees_with_the_details_is_refused_on_its_line() {
    let header_count = BATCH.replacen("|3|1046.30", "|4|1046.30", 1);
    assert_eq!(
        parse_batch(header_count.as_bytes()),
        Err(line_error(
            1,
            Problem::Mismatch { record: "header", what: "count", stated: "4".into(), actual: "3".into() }
        ))
    );
    let header_total = BATCH.replacen("|3|1046.30", "|3|1046.31", 1);
    assert_eq!(
        parse_batch(header_total.as_bytes()),
        Err(line_error(
            1,
            Problem::Mismatch {
                record: "header",
                what: "total_amount",
                stated: "1046.31".into(),
                actual: "1046.30".into()
            }
        ))
    );
    let trailer_total = BATCH.replace("T|3|1046.30", "T|3|1000.00");
    assert_eq!(
        parse_batch(trailer_total.as_bytes()),
        Err(line_error(
            5,
            Problem::Mismatch {
                record: "trailer",
                what: "total_amount",
                stated: "1000.00".into(),
                actual: "1046.30".into()
            }
        ))
    );
    let trailer_count = BATCH.replace("T|3|", "T|2|");
    assert!(matches!(parse_batch(trailer_count.as_bytes()), Err(BankFileError::Line { line: 5, .. })));
}

#[test]
fn a_bad_amount_is_refused_with_its_line_number() {
    for bad in ["88.888", "88.8", "88", "-88.88", "0.00", "100000000.00", "88,88", "088.88"] {
        let text = BATCH.replace("|88.88|", &format!("|{bad}|"));
        assert_eq!(parse_batch(text.as_bytes()), Err(line_error(3, field("amount", AMOUNT_RULE))), "{bad}");
    }
    let mut batch = expected_batch();
    batch.lines[2].amount_fen = 0;
    assert_eq!(write_batch(&batch), Err(line_error(4, field("amount", AMOUNT_RULE))));
    batch.lines[2].amount_fen = MAX_AMOUNT_FEN + 1;
    assert_eq!(write_batch(&batch), Err(line_error(4, field("amount", AMOUNT_RULE))));
}

#[test]
fn a_bar_or_a_line_break_in_a_name_is_refused_not_escaped() {
    let text = BATCH.replace("|张伟|", "|张|伟|");
    assert_eq!(
        parse_batch(text.as_bytes()),
        Err(line_error(2, Problem::FieldCount { record: "detail", expected: 8, found: 9 }))
    );
    for name in ["张|伟", "张\n伟", "张\r伟", "张\t伟", " 张伟", "", &"张".repeat(61)] {
        let mut batch = expected_batch();
        batch.lines[0].account_name = name.into();
        assert_eq!(write_batch(&batch), Err(line_error(2, field("account_name", NAME_RULE))), "{name:?}");
    }
    let mut batch = expected_batch();
    batch.lines[1].memo = "3月|4月".into();
    assert!(matches!(write_batch(&batch), Err(BankFileError::Line { line: 3, .. })));
    batch.lines[1].memo = "张".repeat(60);
    assert!(write_batch(&batch).is_ok());
}

#[test]
fn more_than_1000_lines_are_refused_with_the_line_number() {
    let lines: Vec<DebitLine> =
        (1..=1001).map(|seq| line(seq, &format!("AGR-{seq}"), "6222020200112233445", "张伟", 100, "")).collect();
    let full = DebitBatch { lines: lines[..1000].to_vec(), ..expected_batch() };
    let text = write_batch(&full).unwrap();
    assert_eq!(parse_batch(text.as_bytes()).unwrap().lines.len(), 1000);

    let over = DebitBatch { lines, ..expected_batch() };
    assert_eq!(write_batch(&over), Err(line_error(1, Problem::TooManyLines { max: 1000 })));
    // A header that says 1001, and a header that says 1000 over 1001 details.
    let says_1001 = text.replacen("|1000|1000.00", "|1001|1001.00", 1);
    assert_eq!(parse_batch(says_1001.as_bytes()), Err(line_error(1, field("count", "must be a count from 0 to 1000"))));
    let extra = text.replace("T|1000|", "D|1001|AGR-1001|6222020200112233445|张伟|1.00|CNY|\nT|1000|");
    assert_eq!(parse_batch(extra.as_bytes()), Err(line_error(1002, Problem::TooManyLines { max: 1000 })));
}

#[test]
fn other_malformed_batches_are_refused_on_the_offending_line() {
    let cases: Vec<(String, BankFileError)> = vec![
        (String::new(), line_error(1, Problem::Empty)),
        (BATCH.replace("D|1|", "X|1|"), line_error(2, Problem::Record { expected: "D or T" })),
        (BATCH.replace("H|LL", "D|LL"), line_error(1, Problem::Record { expected: "H" })),
        (BATCH.replace("D|3|", "D|2|"), line_error(4, Problem::DuplicateSeq { seq: 2, first: 3 })),
        (BATCH.replace("D|3|", "D|0|"), line_error(4, field("seq", "must be a number from 1 to 999999"))),
        (BATCH.replace("T|3|1046.30\n", ""), line_error(4, Problem::MissingTrailer)),
        (format!("{BATCH}D|4|x"), line_error(6, Problem::AfterTrailer)),
        (BATCH.replacen('\n', "\n\n", 1), line_error(2, Problem::BlankLine)),
        (
            BATCH.replace("|CNY|2026-03物业费 3-2", "|USD|2026-03物业费 3-2"),
            line_error(3, field("currency", "must be CNY")),
        ),
        (BATCH.replace("6217000010001234567", "6217000"), line_error(3, field("account_no", "must be 8-32 digits"))),
        (
            BATCH.replace("6217000010001234567", "62170000100012345x7"),
            line_error(3, field("account_no", "must be 8-32 digits")),
        ),
        (BATCH.replace("20260310", "20260231"), line_error(1, field("created_on", "must be a date YYYYMMDD"))),
        (
            BATCH.replace("|LINLI01|", "|LINLI 01|"),
            line_error(1, field("company_code", "must be 1-20 ASCII letters or digits")),
        ),
        ("H|B1|C1|20260310|0|0.00\nT|0|0.00\n".to_owned(), line_error(2, Problem::NoDetails)),
    ];
    for (text, error) in cases {
        assert_eq!(parse_batch(text.as_bytes()), Err(error), "{text}");
    }
    assert_eq!(parse_batch(&[0x80, 0x80, 0xFF]), Err(BankFileError::Encoding));
    let empty = DebitBatch { lines: vec![], ..expected_batch() };
    assert_eq!(write_batch(&empty), Err(line_error(1, Problem::NoDetails)));
}

fn simulated_return() -> String {
    let bank = BankSimulator::new("ICBC0001")
        .fail("AGR-0002", FailureCode::InsufficientFunds)
        .fail("AGR-0003", FailureCode::NameMismatch);
    String::from_utf8(bank.process(BATCH.as_bytes(), day("2026-03-12")).unwrap()).unwrap()
}

#[test]
fn the_simulator_answers_a_batch_with_the_chosen_failures_and_match_return_pairs_them() {
    let text = simulated_return();
    let first_serial = text.lines().nth(1).unwrap().rsplit('|').next().unwrap();
    let serial = |seq: &str| format!("20260312{}{seq}", &first_serial[8..16]);
    let expected = format!(
        "H|LL202603100001|ICBC0001|20260312|3|1046.30|1|328.50|2|717.80\n\
         D|1|AGR-0001|6222020200112233445|328.50|S|0000|交易成功|{}\n\
         D|2|AGR-0002|6217000010001234567|88.88|F|1001|余额不足|{}\n\
         D|3|AGR-0003|6228480010203040506|628.92|F|1003|户名不符|{}\n\
         T|3|1046.30\n",
        serial("000001"),
        serial("000002"),
        serial("000003"),
    );
    assert_eq!(text, expected);

    let returned = parse_return(text.as_bytes()).unwrap();
    assert_eq!(write_return(&returned).unwrap(), text, "a 回盘 writes back byte-identically");
    let outcomes = match_return(&expected_batch(), &returned).unwrap();
    let got: Vec<(u32, i64, LineResult)> =
        outcomes.iter().map(|o| (o.line.seq, o.line.amount_fen, o.result.clone())).collect();
    let failed = |code: FailureCode, message: &str| LineResult::Failed { code, message: message.into() };
    assert_eq!(
        got,
        vec![
            (1, 32_850, LineResult::Debited),
            (2, 8_888, failed(FailureCode::InsufficientFunds, "余额不足")),
            (3, 62_892, failed(FailureCode::NameMismatch, "户名不符")),
        ]
    );
    assert_eq!(outcomes[0].line, expected_batch().lines[0]);
    assert!(outcomes[0].is_debited() && outcomes[0].bank_serial.len() == 22);
    // The same 送盘 always gets the same serials, and another batch gets others.
    assert_eq!(simulated_return(), text);
    let other = BankSimulator::new("ICBC0001")
        .process(BATCH.replace("LL202603100001", "LL202603100002").as_bytes(), day("2026-03-12"))
        .unwrap();
    let other = parse_return(&other).unwrap();
    assert_ne!(other.lines[0].bank_serial, returned.lines[0].bank_serial);
}

#[test]
fn the_simulator_writes_gbk_when_asked_and_the_parser_reads_it() {
    let bank = BankSimulator::new("ICBC0001").fail("AGR-0002", FailureCode::InsufficientFunds).gbk(true);
    let bytes = bank.process(BATCH.as_bytes(), day("2026-03-12")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());
    let (gbk_message, _, _) = encoding_rs::GBK.encode("|余额不足|");
    assert!(bytes.windows(gbk_message.len()).any(|w| w == &gbk_message[..]));
    let from_gbk = parse_return(&bytes).unwrap();
    let utf8 = BankSimulator::new("ICBC0001").fail("AGR-0002", FailureCode::InsufficientFunds);
    assert_eq!(from_gbk, parse_return(&utf8.process(BATCH.as_bytes(), day("2026-03-12")).unwrap()).unwrap());
    assert_eq!(
        from_gbk.lines[1].result,
        LineResult::Failed { code: FailureCode::InsufficientFunds, message: "余额不足".into() }
    );
    // 𠀀 is not in GBK: the file falls back to GB18030 rather than losing the name.
    let rare = BATCH.replace("|张伟|", "|张𠀀|");
    let bytes = bank.process(rare.as_bytes(), day("2026-03-12")).unwrap();
    assert!(!bytes.windows(2).any(|w| w == b"&#"));
    assert!(parse_return(&bytes).is_ok());
}

#[test]
fn the_simulator_refuses_a_batch_it_cannot_read() {
    let bad = BATCH.replace("|88.88|", "|88.8|");
    assert_eq!(
        BankSimulator::new("ICBC0001").process(bad.as_bytes(), day("2026-03-12")),
        Err(line_error(3, field("amount", AMOUNT_RULE)))
    );
}

#[test]
fn demo_failures_fail_every_kth_line_with_a_mix_mostly_of_insufficient_funds() {
    let lines = (1..=10).map(|seq| line(seq, &format!("AGR-{seq}"), "6222020200112233445", "张伟", 100, "")).collect();
    let batch = DebitBatch { lines, ..expected_batch() };
    let bank = BankSimulator::new("ICBC0001").demo_failures(3).fail("AGR-4", FailureCode::AccountClosed);
    let answer = bank.answer(&batch, day("2026-03-12"));
    let failed: Vec<(u32, &str)> = answer
        .lines
        .iter()
        .filter_map(|l| match &l.result {
            LineResult::Failed { code, .. } => Some((l.seq, code.code())),
            LineResult::Debited => None,
        })
        .collect();
    assert_eq!(failed, vec![(3, "1001"), (4, "1004"), (6, "1001"), (9, "1003")]);
    let summary = answer.summary();
    assert_eq!((summary.success_count, summary.fail_count, summary.fail_fen), (6, 4, 400));
}

/// The simulator's 回盘 parsed, changed by `tamper`, and written again consistently, as a bank
/// (or someone between) would have to for the file's own totals to check out.
fn tampered(tamper: impl FnOnce(&mut ReturnFile)) -> ReturnFile {
    let mut returned = parse_return(simulated_return().as_bytes()).unwrap();
    tamper(&mut returned);
    parse_return(write_return(&returned).unwrap().as_bytes()).unwrap()
}

#[test]
fn a_tampered_return_file_is_refused() {
    let batch = expected_batch();
    let cases = [
        (tampered(|r| r.lines[1].amount_fen = 8_800), BankFileError::Altered { seq: 2, field: "amount" }),
        (tampered(|r| r.lines[2].seq = 4), BankFileError::UnknownSeq { seq: 4 }),
        (
            tampered(|r| r.lines[0].agreement_no = "AGR-0009".into()),
            BankFileError::Altered { seq: 1, field: "agreement_no" },
        ),
        (
            tampered(|r| r.lines[0].account_no = AccountNo::new("6222020200112233446")),
            BankFileError::Altered { seq: 1, field: "account_no" },
        ),
        (tampered(|r| r.lines.truncate(2)), BankFileError::MissingResult { seq: 3 }),
        (
            tampered(|r| r.batch_no = "LL202603100002".into()),
            BankFileError::OtherBatch { expected: "LL202603100001".into(), found: "LL202603100002".into() },
        ),
    ];
    for (returned, error) in cases {
        assert_eq!(match_return(&batch, &returned), Err(error));
    }
    // A value built by hand can repeat a seq; the parser would have refused the file.
    let mut twice = parse_return(simulated_return().as_bytes()).unwrap();
    twice.lines.push(twice.lines[0].clone());
    assert_eq!(match_return(&batch, &twice), Err(BankFileError::DuplicateResult { seq: 1 }));
}

#[test]
fn a_return_file_edited_by_hand_fails_its_own_checks() {
    let text = simulated_return();
    let amount_only = text.replacen("|88.88|F|", "|8.88|F|", 1);
    assert_eq!(
        parse_return(amount_only.as_bytes()),
        Err(line_error(
            1,
            Problem::Mismatch { record: "header", what: "total", stated: "1046.30".into(), actual: "966.30".into() }
        ))
    );
    let flipped = text.replacen("|F|1001|余额不足|", "|S|0000|交易成功|", 1);
    assert!(matches!(
        parse_return(flipped.as_bytes()),
        Err(BankFileError::Line { line: 1, problem: Problem::Mismatch { what: "success_count", .. } })
    ));
    let s_with_failure_code = text.replacen("|S|0000|", "|S|1001|", 1);
    assert_eq!(
        parse_return(s_with_failure_code.as_bytes()),
        Err(line_error(2, field("result_code", "must be 0000 on an S line")))
    );
    let f_with_success_code = text.replacen("|F|1001|", "|F|0000|", 1);
    assert!(matches!(parse_return(f_with_success_code.as_bytes()), Err(BankFileError::Line { line: 3, .. })));
    let unknown_result = text.replacen("|F|1001|", "|X|1001|", 1);
    assert_eq!(parse_return(unknown_result.as_bytes()), Err(line_error(3, field("result", "must be S or F"))));
    // A code outside the catalogue is kept as the bank wrote it.
    let other_code = parse_return(text.replacen("|F|1001|", "|F|51|", 1).as_bytes()).unwrap();
    assert!(matches!(&other_code.lines[1].result, LineResult::Failed { code: FailureCode::Other(c), .. } if c == "51"));
}

fn valid_line() -> impl Strategy<Value = DebitLine> {
    (
        "[A-Za-z0-9-]{1,32}",
        "[0-9]{8,32}",
        "[张李王赵a-zA-Z·]{1,60}",
        MIN_AMOUNT_FEN..=MAX_AMOUNT_FEN,
        "[^|\\p{Cc}]{0,60}",
    )
        .prop_map(|(agreement_no, account_no, name, amount_fen, memo)| DebitLine {
            seq: 0,
            agreement_no,
            account_no: AccountNo::new(account_no),
            account_name: name,
            amount_fen,
            memo,
        })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_parsers(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_batch(&bytes);
        let _ = parse_return(&bytes);
        let _ = BankSimulator::new("B1").process(&bytes, day("2026-03-12"));
    }

    #[test]
    fn record_shaped_text_never_panics_the_parsers(
        text in "(H|D|T)(\\|[0-9A-Za-z.\\-张SF]{0,10}){0,10}(\r?\n[HDT]?(\\|[0-9.SF]{0,8}){0,10}){0,6}\n?"
    ) {
        let _ = parse_batch(text.as_bytes());
        let _ = parse_return(text.as_bytes());
    }

    #[test]
    fn any_valid_batch_writes_parses_back_and_simulates_to_a_matching_return(
        lines in proptest::collection::vec(valid_line(), 1..20),
        every in 0usize..4,
    ) {
        let lines = lines.into_iter().enumerate().map(|(i, l)| DebitLine { seq: i as u32 + 1, ..l }).collect();
        let batch = DebitBatch { lines, ..expected_batch() };
        let text = write_batch(&batch).unwrap();
        prop_assert_eq!(&parse_batch(text.as_bytes()).unwrap(), &batch);
        let returned = BankSimulator::new("B1").demo_failures(every).gbk(every == 2).process(text.as_bytes(), day("2026-03-12")).unwrap();
        let outcomes = match_return(&batch, &parse_return(&returned).unwrap()).unwrap();
        prop_assert_eq!(outcomes.len(), batch.lines.len());
    }
}

#[test]
fn the_examples_in_the_layout_document_are_what_the_code_reads_and_writes() {
    let doc = include_str!("../../../../../docs/bank-debit-files.md");
    let examples: Vec<&str> = doc
        .split("xample")
        .skip(1)
        .filter_map(|after| after.split_once("```text\n")?.1.split_once("```").map(|(block, _)| block))
        .collect();
    assert_eq!(examples, [BATCH, simulated_return().as_str()]);
}
