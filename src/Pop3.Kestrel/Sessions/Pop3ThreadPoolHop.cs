using System.Runtime.CompilerServices;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Awaited before a command that may block its thread (file I/O of a backend, password hashing, a TLS
/// handshake): continues on the thread pool when the session runs on any other thread, such as a socket
/// event thread when the host inlines socket completions, so one slow command cannot hold up the other
/// connections of that thread. On a thread-pool thread it completes at once and costs nothing.
/// </summary>
internal readonly struct Pop3ThreadPoolHop : ICriticalNotifyCompletion
{
    public Pop3ThreadPoolHop GetAwaiter() => this;

    public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) =>
        ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

    public void UnsafeOnCompleted(Action continuation) =>
        ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
}
