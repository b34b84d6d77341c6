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

        // The server's containers (its image, in the Deployments and the migrate Job) and the ConfigMaps they take their
        // environment from; PgBouncer's have their own settings.
        var configMaps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (relative, root) in KubernetesObjects("Deployment").Concat(KubernetesObjects("Job")))
        {
            foreach (var container in ((YamlSequenceNode)root["spec"]["template"]["spec"]["containers"]).Children.Cast<YamlMappingNode>()
                .Where(c => Scalar(c["image"]).StartsWith("pop3-kestrel", StringComparison.Ordinal)))
            {
                if (container.Children.TryGetValue("env", out var env))
                {
                    found.AddRange(((YamlSequenceNode)env).Children.Select(e => (relative, Scalar(e["name"]))));
                }

                if (container.Children.TryGetValue("envFrom", out var from))
                {
                    configMaps.UnionWith(((YamlSequenceNode)from).Children.Cast<YamlMappingNode>()
                        .Where(f => f.Children.ContainsKey("configMapRef"))
                        .Select(f => Scalar(f["configMapRef"]["name"])));
                }
            }
        }

        Assert.NotEmpty(configMaps);
        foreach (var (relative, root) in KubernetesObjects("ConfigMap").Where(o => configMaps.Contains(Scalar(o.Root["metadata"]["name"]))))
        {
            found.AddRange(((YamlMappingNode)root["data"]).Children.Keys.Select(k => (relative, Scalar(k))));
        }

        return found;
    }

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;

    /// <summary>(file, object) of every Kubernetes object of <paramref name="kind"/> under deploy/kubernetes.</summary>
    private static IEnumerable<(string File, YamlMappingNode Root)> KubernetesObjects(string kind) =>
        Directory.GetFiles(Path.Combine(Root, "deploy", "kubernetes"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => Documents(Path.GetRelativePath(Root, file)).Select(d => (Path.GetRelativePath(Root, file), (YamlMappingNode)d.RootNode)))
            .Where(o => Scalar(o.Item2["kind"]) == kind);

    private static YamlMappingNode KubernetesObject(string kind, string name) =>
        KubernetesObjects(kind).Single(o => Scalar(o.Root["metadata"]["name"]) == name).Root;

    /// <summary>PgBouncer's ini file as (section, key) → value.</summary>
    private static Dictionary<(string Section, string Key), string> PgBouncerIni(string text)
    {
        var values = new Dictionary<(string, string), string>();
        var section = "";
        foreach (var line in text.Split('\n').Select(l => l.Split(';')[0].Trim()).Where(l => l.Length > 0))
        {
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
            }
            else if (line.Split('=', 2) is [var key, var value])
            {
                values[(section, key.Trim())] = value.Trim();
            }
        }

        return values;
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
    public void The_compose_postgres_profile_serves_the_PostgreSQL_store_through_PgBouncer_in_transaction_mode()
    {
        var services = (YamlMappingNode)((YamlMappingNode)Documents("deploy/docker-compose.yml").Single().RootNode)["services"];
        var replica = (YamlMappingNode)services["pop3-replica"];
        var environment = (YamlMappingNode)replica["environment"];
        Assert.Equal("postgres", Scalar(((YamlSequenceNode)replica["profiles"]).Single()));
        Assert.Equal("PostgreSql", Scalar(environment["Pop3__Store"]));

        var ini = PgBouncerIni(File.ReadAllText(Path.Combine(Root, "deploy", "config", "pgbouncer.ini")));
        var target = new Npgsql.NpgsqlConnectionStringBuilder(Scalar(environment["Pop3__PostgreSql__ConnectionString"]));
        Assert.True(services.Children.ContainsKey("pgbouncer"));
        Assert.Equal(("pgbouncer", ini[("pgbouncer", "listen_port")]), (target.Host, target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("transaction", ini[("pgbouncer", "pool_mode")]);
        Assert.StartsWith("host=postgres ", ini[("databases", target.Database!)], StringComparison.Ordinal);
        Assert.True(target.NoResetOnClose);
    }

    [Fact]
    public void The_Kubernetes_pods_serve_the_PostgreSQL_store_through_the_PgBouncer_Service()
    {
        var config = (YamlMappingNode)KubernetesObject("ConfigMap", "pop3-kestrel")["data"];
        Assert.Equal("PostgreSql", Scalar(config["Pop3__Store"]));

        var container = (YamlMappingNode)((YamlSequenceNode)KubernetesObject("Deployment", "pop3-kestrel")["spec"]["template"]["spec"]["containers"]).Children[0];
        var reference = (YamlMappingNode)((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>()
            .Single(e => Scalar(e["name"]) == "Pop3__PostgreSql__ConnectionString")["valueFrom"]["secretKeyRef"];
        Assert.False(reference.Children.ContainsKey("optional"), "the connection string Secret is required");
        var secret = (YamlMappingNode)KubernetesObject("Secret", Scalar(reference["name"]))["stringData"];
        var target = new Npgsql.NpgsqlConnectionStringBuilder(Scalar(secret[Scalar(reference["key"])]));

        var service = KubernetesObject("Service", target.Host!);
        var bouncer = KubernetesObject("Deployment", "pop3-kestrel-pgbouncer");
        var labels = (YamlMappingNode)bouncer["spec"]["template"]["metadata"]["labels"];
        Assert.All(((YamlMappingNode)service["spec"]["selector"]).Children, s => Assert.Equal(Scalar(s.Value), Scalar(labels[s.Key])));
        Assert.Contains(((YamlSequenceNode)service["spec"]["ports"]).Children, p => Scalar(p["port"]) == target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ini = PgBouncerIni(Scalar(KubernetesObject("ConfigMap", "pop3-kestrel-pgbouncer")["data"]["pgbouncer.ini"]));
        Assert.Equal("transaction", ini[("pgbouncer", "pool_mode")]);
        Assert.True(ini.ContainsKey(("databases", target.Database!)));
        Assert.True(target.NoResetOnClose);
    }

    private static YamlMappingNode ServerContainer(YamlMappingNode root) =>
        (YamlMappingNode)((YamlSequenceNode)root["spec"]["template"]["spec"]["containers"]).Children[0];

    private static string? EnvironmentValue(YamlMappingNode container, string name) =>
        container.Children.TryGetValue("env", out var env)
            ? ((YamlSequenceNode)env).Children.Cast<YamlMappingNode>().Where(e => Scalar(e["name"]) == name)
                .Select(e => e.Children.TryGetValue("value", out var value) ? Scalar(value) : "(from " + e["valueFrom"] + ")").SingleOrDefault()
            : null;

    [Fact]
    public void The_compose_replicas_do_not_migrate_and_wait_for_a_one_shot_migrate_of_their_database()
    {
        var services = (YamlMappingNode)((YamlMappingNode)Documents("deploy/docker-compose.yml").Single().RootNode)["services"];
        var replica = (YamlMappingNode)services["pop3-replica"];
        var replicaEnvironment = (YamlMappingNode)replica["environment"];
        Assert.Equal("false", Scalar(replicaEnvironment["Pop3__PostgreSql__MigrateOnStart"]));
        Assert.Equal("service_completed_successfully", Scalar(replica["depends_on"]["migrate"]["condition"]));

        var migrate = (YamlMappingNode)services["migrate"];
        var environment = (YamlMappingNode)migrate["environment"];
        Assert.Equal("postgres", Scalar(((YamlSequenceNode)migrate["profiles"]).Single()));
        // The replicas' image comes through their merge key (<<: *pop3), which the YAML model leaves as an entry.
        Assert.Equal(Scalar(replica["<<"]["image"]), Scalar(migrate["image"]));

        // The image's ENTRYPOINT is the server, so the command is the subcommand alone.
        Assert.False(migrate.Children.ContainsKey("entrypoint"));
        Assert.Equal(["migrate"], ((YamlSequenceNode)migrate["command"]).Children.Select(Scalar));
        Assert.Equal("no", Scalar(migrate["restart"]));
        Assert.Equal("PostgreSql", Scalar(environment["Pop3__Store"]));
        Assert.Equal(Scalar(replicaEnvironment["Pop3__PostgreSql__ConnectionString"]), Scalar(environment["Pop3__PostgreSql__ConnectionString"]));
        Assert.Superset(((YamlSequenceNode)replica["secrets"]).Children.Select(Scalar).ToHashSet(StringComparer.Ordinal),
            ((YamlSequenceNode)migrate["secrets"]).Children.Select(Scalar).ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public void The_Kubernetes_pods_do_not_migrate_and_a_Job_migrates_their_database()
    {
        var pods = ServerContainer(KubernetesObject("Deployment", "pop3-kestrel"));
        Assert.Equal("false", EnvironmentValue(pods, "Pop3__PostgreSql__MigrateOnStart"));

        var job = ServerContainer(KubernetesObject("Job", "pop3-kestrel-migrate"));
        Assert.Equal(Scalar(pods["image"]), Scalar(job["image"]));
        Assert.False(job.Children.ContainsKey("command"), "the image's ENTRYPOINT is the server; args name the subcommand");
        Assert.Equal(["migrate"], ((YamlSequenceNode)job["args"]).Children.Select(Scalar));

        // The same database: the pods' ConfigMap (Pop3__Store) and the connection string from the same Secret and key.
        Assert.Equal(pods["envFrom"].ToString(), job["envFrom"].ToString());
        Assert.Equal(EnvironmentValue(pods, "Pop3__PostgreSql__ConnectionString"), EnvironmentValue(job, "Pop3__PostgreSql__ConnectionString"));
        Assert.StartsWith("(from ", EnvironmentValue(job, "Pop3__PostgreSql__ConnectionString"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("readinessProbe")]
    [InlineData("livenessProbe")]
    public void Probe_timeouts_leave_room_for_the_servers_one_second_readiness_bound(string probe)
    {
        // /readyz answers within a second, the database's reply included; a probe that gives up sooner takes a
        // healthy pod out, and one longer than its period stacks probes up.
        var container = (YamlMappingNode)((YamlSequenceNode)KubernetesObject("Deployment", "pop3-kestrel")["spec"]["template"]["spec"]["containers"]).Children[0];
        var settings = (YamlMappingNode)container[probe];
        var timeout = int.Parse(Scalar(settings["timeoutSeconds"]), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timeout, 2, int.Parse(Scalar(settings["periodSeconds"]), System.Globalization.CultureInfo.InvariantCulture));
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
