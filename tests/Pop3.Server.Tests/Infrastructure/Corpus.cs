namespace Pop3.Server.Tests.Infrastructure;

/// <summary>The corpus of 67 real-world messages (tests/corpus), and what each must look like after POP3.</summary>
public static class Corpus
{
    /// <summary>The corpus folder: <c>tests/corpus/messages</c> in the repository.</summary>
    public static string MessagesFolder { get; } = Locate();

    public static IEnumerable<string> Files => Directory.EnumerateFiles(MessagesFolder, "*.eml").Order(StringComparer.Ordinal);

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in Files)
            {
                data.Add(Path.GetFileName(file));
            }

            return data;
        }
    }

    /// <summary>
    /// What a client must end up with: bare LF becomes CRLF, a CR not followed by LF stays, and a final
    /// CRLF is added when the last line has none. Written independently of the server's encoder.
    /// </summary>
    public static byte[] Expected(byte[] file)
    {
        var output = new List<byte>(file.Length + file.Length / 20 + 2);
        for (var i = 0; i < file.Length; i++)
        {
            if (file[i] == (byte)'\n' && (i == 0 || file[i - 1] != (byte)'\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(file[i]);
        }

        if (file.Length > 0 && file[^1] != (byte)'\n')
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }

        return output.ToArray();
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pop3.Kestrel.sln")))
            {
                var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "tests", "corpus", "messages"));
                if (Directory.Exists(corpus))
                {
                    return corpus;
                }

                throw new DirectoryNotFoundException($"The corpus is missing: expected {corpus} in the repository.");
            }
        }

        throw new DirectoryNotFoundException("Pop3.Kestrel.sln not found above " + AppContext.BaseDirectory);
    }
}
