import NIOCore

/// Runs tasks on one NIO event loop, between its channel events. Every https connection of
/// the process's `SocketTransport`s lives on one loop, and a bulk statement's workers prefer
/// this executor (`SocketTransport.preferredExecutor`): an answer read on the loop resumes its
/// worker on the same thread, and the worker's next request is written from there, so no
/// pool thread is woken per request — what `SocketPoller` does for plain http. swift-nio
/// (2.101) gives its loops no `TaskExecutor` of their own.
///
/// A job enqueued from the loop's own thread (what a resumed continuation is) costs NIO a lock
/// and an append; from another thread, also a wake-up of the loop.
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
