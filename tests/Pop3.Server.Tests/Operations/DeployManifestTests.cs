using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Pop3.Server.Tests.Operations;

/// <summary>
/// The environment the deployment files give the server names settings that exist: every <c>Pop3__...</c> name
/// (<c>__</c> is configuration's <c>:</c>) is a key the server's own settings check accepts, and the server
/// containers are given nothing else but Serilog's and .NET's own variables.
/// </summary>
public sealed partial class DeployManifestTests
{
    private static readonly string Root = RepositoryRoot();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pop3.Kestrel.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Pop3.Kestrel.sln above {AppContext.BaseDirectory}.");
    }

    private static IEnumerable<YamlDocument> Documents(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
        stream.Load(reader);
        return stream.Documents;
    }

    /// <summary>The variables a compose service sets: a mapping (merge keys followed) or a list of NAME=value.</summary>
    private static IEnumerable<string> ComposeEnvironment(YamlNode environment) => environment switch
    {
        YamlMappingNode map => map.Children.SelectMany(entry => ((YamlScalarNode)entry.Key).Value == "<<"
            ? ComposeEnvironment(entry.Value)
            : [((YamlScalarNode)entry.Key).Value!]),
        YamlSequenceNode list => list.Children.Select(item => ((YamlScalarNode)item).Value!.Split('=')[0]),
        _ => [],
    };

    /// <summary>(where, name) of every variable given to the server by the compose file and the Kubernetes manifests.</summary>
    private static List<(string Where, string Name)> ServerEnvironment()
    {
        var found = new List<(string, string)>();
        var compose = (YamlMappingNode)Documents("deploy/docker-compose.yml").Single().RootNode;
        foreach (var (name, service) in ((YamlMappingNode)compose["services"]).Children)
        {
            var definition = (YamlMappingNode)service;

            // The server's services build the repository's image; the others (PostgreSQL) have their own variables.
            if (definition.Children.ContainsKey("build") && definition.Children.TryGetValue("environment", out var environment))
            {
                found.AddRange(ComposeEnvironment(environment).Select(variable => ($"docker-compose.yml {name}", variable)));
            }
        }

        foreach (var file in Directory.GetFiles(Path.Combine(Root, "deploy", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(Root, file);
            foreach (var document in Documents(relative))
            {
                var root = (YamlMappingNode)document.RootNode;
                var kind = ((YamlScalarNode)root["kind"]).Value;
                if (kind == "ConfigMap")
                {
                    found.AddRange(((YamlMappingNode)root["data"]).Children.Keys.Select(k => (relative, ((YamlScalarNode)k).Value!)));
                }
                else if (kind == "Deployment")
                {
                    var containers = (YamlSequenceNode)root["spec"]["template"]["spec"]["containers"];
                    foreach (var container in containers.Children.Cast<YamlMappingNode>())
                    {
                        if (container.Children.TryGetValue("env", out var env))
                        {
                            found.AddRange(((YamlSequenceNode)env).Children.Select(e => (relative, ((YamlScalarNode)e["name"]).Value!)));
                        }
                    }
                }
            }
        }

        return found;
    }

    [Fact]
    public void Every_Pop3_variable_in_the_compose_file_and_the_Kubernetes_manifests_is_a_setting()
    {
        var environment = ServerEnvironment();
        var pop3 = environment.Where(e => e.Name.StartsWith("Pop3__", StringComparison.Ordinal)).ToList();

        // The manifests do set the store, the paths and the listeners: an empty scan would prove nothing.
        Assert.Contains(pop3, e => e.Name == "Pop3__Store");
        Assert.Contains(pop3, e => e.Name == "Pop3__PostgreSql__ConnectionString");
        Assert.Contains(pop3, e => e.Name == "Pop3__Endpoints__Secure__Tls");
        var unknown = pop3.Where(e => !Pop3SettingKeys.IsKnown(e.Name.Replace("__", ":", StringComparison.Ordinal))).ToList();
        Assert.True(unknown.Count == 0, "Not a setting: " + string.Join(", ", unknown.Select(e => $"{e.Name} ({e.Where})")));
    }

    [Fact]
    public void The_server_is_given_no_variable_that_nothing_reads()
    {
        // ConnectionStrings__Pop3 was once set here and read by nothing.
        var foreign = ServerEnvironment()
            .Where(e => !e.Name.StartsWith("Pop3__", StringComparison.Ordinal) && !e.Name.StartsWith("Serilog__", StringComparison.Ordinal)
                && !e.Name.StartsWith("DOTNET_", StringComparison.Ordinal) && !e.Name.StartsWith("ASPNETCORE_", StringComparison.Ordinal))
            .ToList();
        Assert.True(foreign.Count == 0, "Read by nothing: " + string.Join(", ", foreign.Select(e => $"{e.Name} ({e.Where})")));
    }

    [Fact]
    public void The_Dockerfile_and_the_systemd_unit_set_only_settings_too()
    {
        var names = new[] { "Dockerfile", "deploy/systemd/pop3-kestrel.service" }
            .SelectMany(file => Pop3Variable().Matches(File.ReadAllText(Path.Combine(Root, file))).Select(m => (file, m.Groups["name"].Value)))
            .ToList();

        Assert.Contains(names, n => n.Item2 == "Pop3__Maildir__Path");
        Assert.DoesNotContain(names, n => !Pop3SettingKeys.IsKnown(n.Item2.Replace("__", ":", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_appsettings_template_names_only_settings()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(Root, "appsettings.json")).Build();

        Assert.NotNull(configuration["Pop3:Maildir:Path"]);
        Assert.Empty(Pop3SettingsCheck.Check(configuration, Pop3SettingKeys.ServerDeclarations(configuration)));
    }

    [Theory]
    [InlineData("Pop3:Greeting", true)]
    [InlineData("pop3:maildir:path", true)]
    [InlineData("Pop3:Endpoints:Secure:Tls", true)]
    [InlineData("Pop3:Endpoints:Secure:Sni:mail.example.org:Path", true)]
    [InlineData("Pop3:ProxyProtocol:TrustedNetworks:0", true)]
    [InlineData("Pop3:Authentication:Mechanisms", true)]
    [InlineData("Pop3:Authentication:UsersFile", true)]
    [InlineData("Pop3:Authentication:OAuth:Issuer", true)]
    [InlineData("Pop3:PostgreSql:ConnectionString", true)]
    [InlineData("Pop3:Store", true)]
    [InlineData("Pop3:Greting", false)]
    [InlineData("Pop3:Endpoints:Secure:Prot", false)]
    [InlineData("Pop3:Endpoints:Secure:Port:Extra", false)]
    [InlineData("Pop3:ProxyProtocol:TrustedNetworks:first", false)]
    [InlineData("Pop3:Maildir", false)]
    [InlineData("ConnectionStrings:Pop3", false)]
    public void The_key_lookup_knows_settings_and_refuses_the_rest(string key, bool known) =>
        Assert.Equal(known, Pop3SettingKeys.IsKnown(key));

    [GeneratedRegex(@"\b(?<name>Pop3__[A-Za-z0-9_]+)=")]
    private static partial Regex Pop3Variable();
}
