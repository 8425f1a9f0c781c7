package dev.batchfetch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of a package as text, one line per public or protected type and member, in a
 * stable order: what a committed {@code api/*.api} file holds, as OkHttp keeps one, so that any
 * change to the API shows in review. {@code ApiSurfaceTest} compares the two.
 */
public final class ApiDump {
  private ApiDump() {}

  /** The API of the public types of {@code packageName}, compiled where {@code anchor} is. */
  public static String of(Class<?> anchor, String packageName) {
    List<String> lines = new ArrayList<>();
    for (Class<?> type : topLevelTypes(anchor, packageName)) {
      dump(type, lines);
    }
    return String.join("\n", lines) + "\n";
  }

  private static List<Class<?>> topLevelTypes(Class<?> anchor, String packageName) {
    Path root;
    try {
      root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Path dir = root.resolve(packageName.replace('.', '/'));
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".class") && !name.contains("$"))
          .map(name -> load(packageName + "." + name.substring(0, name.length() - 6), anchor))
          .filter(type -> Modifier.isPublic(type.getModifiers()))
          .sorted(Comparator.comparing(Class::getName))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Class<?> load(String name, Class<?> anchor) {
    try {
      return Class.forName(name, false, anchor.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void dump(Class<?> type, List<String> lines) {
    lines.add(header(type));
    List<String> members = new ArrayList<>();
    for (Field field : type.getDeclaredFields()) {
      if (visible(field) && !field.isSynthetic()) {
        members.add(field.toGenericString());
      }
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (visible(constructor) && !constructor.isSynthetic()) {
        members.add(constructor.toGenericString());
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (visible(method) && !method.isSynthetic() && !method.isBridge()) {
        members.add(method.toGenericString());
      }
    }
    members.stream().sorted().map(m -> "  " + m).forEach(lines::add);
    Arrays.stream(type.getDeclaredClasses())
        .filter(nested -> visible(nested.getModifiers()))
        .sorted(Comparator.comparing(Class::getName))
        .forEach(nested -> dump(nested, lines));
  }

  private static String header(Class<?> type) {
    StringBuilder line =
        new StringBuilder(Modifier.toString(type.getModifiers() & ~Modifier.INTERFACE));
    line.append(line.length() > 0 ? " " : "");
    if (type.isSealed()) {
      line.append("sealed ");
    }
    line.append(
            type.isRecord()
                ? "record "
                : type.isEnum()
                    ? "enum "
                    : type.isAnnotation()
                        ? "@interface "
                        : type.isInterface() ? "interface " : "class ")
        .append(type.getName());
    Class<?> parent = type.getSuperclass();
    if (parent != null
        && parent != Object.class
        && parent != Record.class
        && parent != Enum.class) {
      line.append(" extends ").append(parent.getTypeName());
    }
    String interfaces =
        Arrays.stream(type.getGenericInterfaces())
            .map(java.lang.reflect.Type::getTypeName)
            .collect(Collectors.joining(", "));
    if (!interfaces.isEmpty()) {
      line.append(type.isInterface() ? " extends " : " implements ").append(interfaces);
    }
    if (type.isSealed()) {
      line.append(" permits ")
          .append(
              Arrays.stream(type.getPermittedSubclasses())
                  .map(Class::getName)
                  .collect(Collectors.joining(", ")));
    }
    return line.toString();
  }

  private static boolean visible(Member member) {
    return visible(member.getModifiers());
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }
}
