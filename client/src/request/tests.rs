use super::*;

#[tokio::test]
async fn a_request_runs_only_when_sent_and_shows_no_internals() {
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = sent.clone();
    let request = Request::new(async move {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(7)
    });
    assert_eq!(format!("{request:?}"), "Request { .. }");
    assert!(!sent.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(request.send().await.unwrap(), 7);
    assert!(sent.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(Request::new(async { Ok(8) }).await.unwrap(), 8);
}
